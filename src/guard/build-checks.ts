import { formatArn, type ArnScope } from '../core/arn';
import type { TinyauthCheck } from '../decision';
import type { ActionRequirement } from '../decorators/require-action.decorator';

/** A requirement that cannot be turned into a check; the request is denied rather than checked too little. */
export class RequirementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequirementError';
  }
}

function resourcesOf(
  requirement: ActionRequirement,
  request: unknown,
  params: Readonly<Record<string, unknown>>,
): readonly string[] | undefined {
  const { resource, action } = requirement;
  if (resource === undefined) return undefined;
  if (typeof resource === 'string') {
    const value = params[resource];
    if (typeof value !== 'string') {
      throw new RequirementError(`@RequireAction('${action}'): the route has no parameter "${resource}"`);
    }
    return [value];
  }
  let selected: unknown;
  try {
    // The function was typed by its author for the app's request type; at run time it gets the adapter's request.
    selected = (resource as (request: unknown) => unknown)(request);
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

/** Turns `@RequireAction` metadata into checks (action + full ARN) for one request. */
export function buildChecks(
  requirements: readonly ActionRequirement[],
  scope: ArnScope,
  request: unknown,
  params: Readonly<Record<string, unknown>>,
): TinyauthCheck[] {
  const checks: TinyauthCheck[] = [];
  for (const requirement of requirements) {
    const resources = resourcesOf(requirement, request, params);
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
