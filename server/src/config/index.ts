/** The backend's configuration: see `schema.ts` (the options), `env.ts` (environment variables). */
export { loadConfig, parseConfig, CONFIG_PATH_ENV, DEFAULT_CONFIG_FILE, type LoadConfigOptions } from "./load.js";
export { ConfigError, formatProblem, type ConfigProblem } from "./errors.js";
export { describeConfigSchema, type ConfigOptionDescription } from "./describe.js";
export { ENV_PREFIX, envName } from "./env.js";
export {
  LOG_LEVELS,
  RESERVED_SECTIONS,
  SUPERVISOR_URL,
  SUPERVISOR_WEBSOCKET_URL,
  parseDuration,
  type ApiConfig,
  type ContactAccountConfig,
  type ContactConfig,
  type EnergyInsightsConfig,
  type HomeAssistantConfig,
  type LogConfig,
  type LogLevel,
  type StoreConfig,
  type SyncConfig,
} from "./schema.js";
