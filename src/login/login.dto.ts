import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * The sign-in request, as JSON (`{ username, password, next? }`, what the page's script and flask_tinyauth's page
 * send) or as an HTML form post with the same field names.
 */
export class LoginDto {
  /** tinyauth user name (exact, case-sensitive). */
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  username!: string;

  /** The user's password; never logged. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;

  /** Where to go after signing in; only same-site paths are honoured (see `safeNextPath`). */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  next?: string;
}
