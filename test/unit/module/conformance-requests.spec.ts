import { formatArn } from '../../../src/core/arn';
import { groupChecks } from '../../../src/authorizer/decision';
import { decisionContext } from '../../../src/authorizer/request-context';
import { loadHttpExchanges } from '../../helpers/conformance';

interface BatchBody {
  permit: Record<string, string[]>;
  headers: Array<[string, string]>;
  context: { SourceIp: string; RequestDateTime: string };
}

const ARN = /^arn:([^:]*):([^:]*):([^:]*)::(.*)$/s;

/** The recorded authorize-by-token bodies shaped as flask_tinyauth sends them. */
const clientBodies = loadHttpExchanges()
  .exchanges.filter((e) => e.group === 'authorize-by-token')
  .map((e) => ({ name: e.name, body: e.request.json as BatchBody }))
  .filter(({ body }) => {
    const context = body?.context as Record<string, unknown> | undefined;
    return (
      context !== undefined &&
      Object.keys(context).sort().join() === 'RequestDateTime,SourceIp' &&
      Object.keys(body).sort().join() === 'context,headers,permit' &&
      Object.values(body.permit).every((v) => Array.isArray(v))
    );
  });

describe('requests agree with the recorded flask_tinyauth bodies', () => {
  it('has recorded bodies to compare with', () => {
    expect(clientBodies.length).toBeGreaterThan(20);
  });

  it.each(clientBodies)('$name: every ARN is what formatArn builds', ({ body }) => {
    for (const resources of Object.values(body.permit)) {
      for (const arn of resources) {
        const m = ARN.exec(arn);
        if (!m) continue; // deliberately odd resources (globs, empty strings) are not ARNs of ours
        const [, partition, service, region, rest] = m;
        const slash = rest.indexOf('/');
        const rebuilt =
          slash < 0 && rest === ''
            ? formatArn({ partition, service, region })
            : slash < 0
              ? undefined
              : formatArn({ partition, service, region }, rest.slice(0, slash), rest.slice(slash + 1));
        if (rebuilt !== undefined) expect(rebuilt).toBe(arn);
      }
    }
  });

  it.each(clientBodies)('$name: our body has the same shape and values', ({ body }) => {
    const checks = Object.entries(body.permit).flatMap(([action, resources]) =>
      resources.map((resource) => ({ action, resource })),
    );
    const when = new Date(`${body.context.RequestDateTime.slice(0, 23)}Z`);
    const ours = {
      permit: { ...groupChecks(checks) },
      headers: body.headers,
      context: decisionContext(
        { method: 'GET', url: '/', headers: body.headers, sourceIp: body.context.SourceIp, params: {} },
        undefined,
        when,
      ),
    };
    // Repeated resources are sent once; the recorded bodies have none.
    expect(JSON.parse(JSON.stringify(ours))).toEqual(body);
  });
});
