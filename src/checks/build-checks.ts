import { formatArn, type ArnScope } from '../core/arn';
import type { TinyauthCheck } from '../decision';
import type { ActionRequirement } from '../decorators/require-action.decorator';
import type { TinyauthSelectorInput } from '../request/selector-input';

/** A requirement that cannot be turned into a check; the request is denied rather than checked too little. */
export class RequirementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequirementError';
  }
}

/** Where the string form of a selector looks, per transport, and how an error names it. */
function namedValue(input: TinyauthSelectorInput, name: string): { value: unknown; missing: string } {
  switch (input.type) {
    case 'graphql':
      return { value: own(input.args, name), missing: `the field has no argument "${name}"` };
    case 'ws':
    case 'rpc':
      return {
        value:
          input.data !== null && typeof input.data === 'object' && !Array.isArray(input.data)
            ? own(input.data as Record<string, unknown>, name)
            : undefined,
        missing: `the message has no field "${name}"`,
      };
    default:
      return { value: own(input.params, name), missing: `the route has no parameter "${name}"` };
  }
}

/** Own properties only: a payload's prototype (`__proto__`, `constructor`) never names a resource. */
const own = (record: Readonly<Record<string, unknown>>, name: string): unknown =>
  Object.hasOwn(record, name) ? record[name] : undefined;

function resourcesOf(
  requirement: ActionRequirement,
  input: TinyauthSelectorInput,
): readonly string[] | undefined {
  const { resource, action } = requirement;
  if (resource === undefined) return undefined;
  if (typeof resource === 'string') {
    const { value, missing } = namedValue(input, resource);
    // Route parameters are text; GraphQL arguments and JSON payloads may carry an ID as a number.
    if (typeof value === 'string') return [value];
    if (input.type !== 'http' && typeof value === 'number' && Number.isSafeInteger(value))
      return [String(value)];
    throw new RequirementError(`@RequireAction('${action}'): ${missing}`);
  }
  let selected: unknown;
  try {
    selected = resource(input);
  } catch (err) {
    throw new RequirementError(
      `@RequireAction('${action}'): the resource function threw (${(err as Error)?.name ?? 'error'})`,
    );
  }
  const list = typeof selected === 'string' ? [selected] : selected;
  if (!Array.isArray(list) || list.length === 0 || !list.every((r) => typeof r === 'string')) {
    throw new RequirementError(
      `@RequireAction('${action}'): the resource function must return a string or a non-empty string[]`,
    );
  }
  return list as string[];
}

/** Turns `@RequireAction` metadata into checks (action + full ARN) for one handler call, on any transport. */
export function buildChecks(
  requirements: readonly ActionRequirement[],
  scope: ArnScope,
  input: TinyauthSelectorInput,
): TinyauthCheck[] {
  const checks: TinyauthCheck[] = [];
  for (const requirement of requirements) {
    const resources = resourcesOf(requirement, input);
    if (resources === undefined) {
      checks.push({ action: requirement.action, resource: formatArn(scope, requirement.resourceClass) });
    } else {
      for (const r of resources) {
        checks.push({ action: requirement.action, resource: formatArn(scope, requirement.resourceClass, r) });
      }
    }
  }
  return checks;
}
