import { inflateSync } from 'node:zlib';

/** Size and colour variety of a PNG screenshot, enough to tell a rendered page from a blank one. */
export interface PngSummary {
  width: number;
  height: number;
  /** Distinct RGB colours, counted up to `limit`. */
  distinctColors: number;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decodes the 8-bit, non-interlaced RGB or RGBA PNGs Chromium writes (just enough for a test) and counts colours.
 */
export function summarizePng(png: Buffer, limit = 1000): PngSummary {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colorType, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) {
        throw new Error(`unsupported PNG (depth ${depth}, colour type ${colorType}, interlace ${interlace})`);
      }
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  let previous = Buffer.alloc(stride);
  const colors = new Set<number>();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? line[x - channels] : 0;
      const up = previous[x];
      const upLeft = x >= channels ? previous[x - channels] : 0;
      const add = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter] ?? 0;
      line[x] = (line[x] + add) & 0xff;
    }
    for (let x = 0; x < stride && colors.size < limit; x += channels) {
      colors.add((line[x] << 16) | (line[x + 1] << 8) | line[x + 2]);
    }
    previous = line;
  }
  return { width, height, distinctColors: colors.size };
}
