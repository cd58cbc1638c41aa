import { parseIpAddress } from '../../../src/core/ip';
import { PolicyError } from '../../../src/core/policy-error';

// Python 3's ipaddress.ip_address() on each text: [text, version, int(address)], or nulls where it raises.
const PYTHON: Array<[string, 6 | null, string | null]> = [
  ['::', 6, '0'],
  ['::1', 6, '1'],
  ['1::', 6, '5192296858534827628530496329220096'],
  ['1:2:3:4:5:6:7:8', 6, '5192455318486707404433266433261576'],
  ['1:2:3:4:5:6:7::', 6, '5192455318486707404433266433261568'],
  ['::2:3:4:5:6:7:8', 6, '158459951879775902770104041480'],
  ['1::8', 6, '5192296858534827628530496329220104'],
  ['1:2:3:4:5:6:7:8:9', null, null],
  ['1:2:3:4:5:6::7:8', null, null],
  [':1:2:3:4:5:6:7', null, null],
  ['1:2:3:4:5:6:7:', null, null],
  ['1:::2', null, null],
  ['1::2::3', null, null],
  ['::ffff:192.0.2.1', 6, '281473902969345'],
  ['::ffff:192.0.2.01', null, null],
  ['64:ff9b::1.2.3.4', 6, '524413980667603649783483181329154820'],
  ['1:2:3:4:5:6:1.2.3.4', 6, '5192455318486707404433266449711876'],
  ['1:2:3:4:5:6:7:1.2.3.4', null, null],
  ['fe80::1%eth0', 6, '338288524927261089654018896841347694593'],
  ['fe80::1%', null, null],
  ['fe80::1%a%b', null, null],
  ['%eth0', null, null],
  ['', null, null],
  [':', null, null],
  ['::g', null, null],
  ['12345::', null, null],
  ['abcd:ef01:2345:6789:abcd:ef01:2345:6789', 6, '228367255721259569362527394270995113865'],
  ['ABCD::EF', 6, '228362408135220253930399759055429042415'],
  ['1:2', null, null],
  ['::1.2.3', null, null],
  ['0:0:0:0:0:0:0:0', 6, '0'],
  ['::0:0:0:0:0:0:0:0', null, null],
  ['1::2:3:4:5:6:7', 6, '5192296860952734609117897189359623'],
  ['::1:2:3:4:5:6:7', 6, '79230580421244924994404089863'],
];

describe('parseIpAddress on IPv6 text, as Python parses it', () => {
  it.each(PYTHON)('%j', (text, version, value) => {
    if (version === null) {
      expect(() => parseIpAddress(text)).toThrow(PolicyError);
    } else {
      expect(parseIpAddress(text)).toEqual({ version, value: BigInt(value as string) });
    }
  });
});
