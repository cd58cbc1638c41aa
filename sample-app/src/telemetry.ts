import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * The OpenTelemetry metrics SDK with a Prometheus exporter, registered globally before the app starts, as any
 * application would: nestjs-tinyauth needs no option of its own to report through it. The exporter's own server
 * is not started; `MetricsController` serves its text at `/metrics` on the app's port.
 */
export const prometheus = new PrometheusExporter({ preventServerStart: true });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [prometheus] }));
