import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  IsUrl,
  ValidateBy,
  type ValidationOptions,
  IsObject,
} from 'class-validator';
import { canonicalOrigin } from '../core/origin';
import type { CsrfStrategy, TinyauthMode } from './tinyauth-options.interface';

/** In bypass mode nothing talks to tinyauth, so its address and key may be left out. */
const needsTinyauth = (o: TinyauthOptionsSchema): boolean => o.bypass !== true || o.endpoint !== undefined;

/** A callback option (checked for being callable; what it returns is checked where it is called). */
const IsFunction = (): PropertyDecorator =>
  ValidateBy({
    name: 'isFunction',
    validator: {
      validate: (v: unknown) => typeof v === 'function',
      defaultMessage: () => 'must be a function',
    },
  });

/** An origin such as `https://app.example.com` (scheme, host, optional port; nothing else). */
function IsOrigin(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isOrigin',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && canonicalOrigin(value) !== undefined,
        defaultMessage: () =>
          'each value must be an origin such as https://app.example.com (scheme, host and optional port only)',
      },
    },
    options,
  );
}

/** class-validator rules for the module options; one class so every rule sits in one place. */
export class TinyauthOptionsSchema {
  @ValidateIf(needsTinyauth)
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    {
      message: 'must be an http:// or https:// URL',
    },
  )
  endpoint!: string;

  @ValidateIf(needsTinyauth)
  @IsString()
  @IsNotEmpty()
  accessKeyId!: string;

  @ValidateIf(needsTinyauth)
  @IsString()
  @IsNotEmpty()
  secretAccessKey!: string;

  @IsString()
  @Matches(/^[A-Za-z0-9_.-]+$/, { message: 'must be a non-empty name of letters, digits, ".", "_" or "-"' })
  service!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  partition?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  region?: string;

  @IsOptional()
  @ValidateIf((o: TinyauthOptionsSchema) => typeof o.endpointVerify !== 'boolean')
  @IsString({ message: 'must be true, false or the path of a CA bundle' })
  @IsNotEmpty({ message: 'must be true, false or the path of a CA bundle' })
  endpointVerify?: boolean | string;

  @IsOptional()
  @IsBoolean()
  bypass?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600_000)
  timeoutMs?: number;

  @IsOptional()
  @IsIn(['http-service', 'undici'])
  httpClient?: 'http-service' | 'undici';

  @IsOptional()
  @IsIn(['cookie', 'header-token', 'none'])
  csrfStrategy?: CsrfStrategy;

  @IsOptional()
  @IsBoolean()
  cookieSecure?: boolean;

  @IsOptional()
  @IsIn(['remote', 'cached', 'local'])
  mode?: TinyauthMode;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3_600_000)
  cacheTtlMs?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  cacheMaxEntries?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3_600_000)
  maxStaleMs?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  negativeCacheTtlMs?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3 * 24 * 3_600_000)
  keyCacheMaxMs?: number;

  @IsOptional()
  @IsArray()
  @IsOrigin({ each: true })
  allowedOrigins?: string[];

  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(24 * 3_600_000)
  loginWindowMs?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  loginMaxFailuresPerAddress?: number;

  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(1_000_000)
  loginMaxFailuresPerUser?: number;

  @IsOptional()
  @IsBoolean()
  explain?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  contextKeys?: string[];

  @IsOptional()
  @IsFunction()
  onDecision?: unknown;

  @IsOptional()
  @IsFunction()
  rpcHeaders?: unknown;

  @IsOptional()
  @IsBoolean()
  auditLog?: boolean;

  // Its members are checked by sharedCacheProblems: a store is a live object, not data for class-validator.
  @IsOptional()
  @IsObject()
  sharedCache?: object;
}
