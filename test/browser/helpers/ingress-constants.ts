/** Shared by the fake Supervisor ingress (node, fake-ingress.ts) and the ingress browser test. */

/** The HA access token the backend behind the fake ingress accepts (the test's hass.auth token). */
export const INGRESS_TEST_HA_TOKEN = "ingress-test-ha-token";
export const INGRESS_TOKEN = "fakeIngressToken0123";
export const INGRESS_PATH = `/api/hassio_ingress/${INGRESS_TOKEN}/`;
