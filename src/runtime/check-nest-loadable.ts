/** Imported first by the package entry, so an unloadable Nest fails here with a clear message. */
import { assertNestLoadable } from './nest-esm-support';

assertNestLoadable();
