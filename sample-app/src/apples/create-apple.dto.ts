import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** Body of `POST /api/v1/apples`, validated by the global `ValidationPipe`. */
export class CreateAppleDto {
  /** Lower-case words joined by dashes: it becomes part of the URL and of the resource's ARN. */
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'name must be lower-case words joined by dashes' })
  name!: string;

  @IsString()
  @MaxLength(32)
  color!: string;

  @IsInt()
  @Min(1)
  @Max(2000)
  weight!: number;
}
