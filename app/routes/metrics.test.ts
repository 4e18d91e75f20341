// The /metrics resource route: the worker's Prometheus text in embedded mode, a pointer elsewhere without one.
import { createTestApp, makeRequest, type TestApp } from "../../test/app-context";
import { loader } from "./metrics";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it("serves the in-process worker's metrics as Prometheus text", async () => {
  const context = {
    app: {
      ...t.app,
      metrics: () => "# TYPE candlecast_executions_total counter\ncandlecast_executions_total 3\n",
    },
  };
  const response = await loader({ request: makeRequest("/metrics"), context, params: {} });
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(await response.text()).toContain("candlecast_executions_total 3");
});

it("answers 404 in a process without a worker", async () => {
  const response = await loader({ request: makeRequest("/metrics"), context: t.context, params: {} });
  expect(response.status).toBe(404);
});
