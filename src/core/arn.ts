/** Where a resource lives: the first fields of every ARN this service checks. */
export interface ArnScope {
  partition: string;
  service: string;
  region: string;
}

/**
 * Builds an ARN exactly as flask_tinyauth does: `arn:<partition>:<service>:<region>::` alone when there is no
 * resource class, otherwise `...::<class>/<resource>` (an empty resource gives `...::<class>/`).
 */
export function formatArn(scope: ArnScope, resourceClass?: string, resource?: string): string {
  const base = `arn:${scope.partition}:${scope.service}:${scope.region}::`;
  if (resourceClass === undefined || resourceClass === '') return base;
  return `${base}${resourceClass}/${resource ?? ''}`;
}
