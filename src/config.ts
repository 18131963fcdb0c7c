import { randomBytes } from 'node:crypto'
import { z } from 'zod'

/**
 * Every setting comes from the environment (and .env), parsed once at start-up.
 * A bad value stops start-up with a message naming the variable and what was expected.
 */
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')
const optionalString = z.string().trim().min(1).optional()

import { generatedSecrets } from './secrets.js'

/** Published in earlier versions of .env.example: anyone could sign API tokens with it, so it is never accepted. */
export const DEV_JWT_SECRET = 'jiesu-development-jwt-secret-change-me-please!!'
/** Likewise published: anyone could decrypt residents' phones with it. */
export const DEV_DATA_ENCRYPTION_KEY = 'jiesu-development-key-change-me-in-production!'

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|mysql:\/\/.+|mariadb:\/\/.+)$/, 'sqlite:path/to/file.db or mysql://user:pass@host:3306/db')
    .default('sqlite:./data/jiesu.db'),
  /** MySQL/MariaDB connections per process (each API replica and bot holds its own pool). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /** Community YAML imported on first start when the database has no community yet. */
  COMMUNITY_FILE: z.string().default('examples/community.yaml'),
  /** Where jiesu keeps its own files: the generated secrets, the inbox spool. */
  DATA_DIR: z.string().default('./data'),
  /**
   * 32+ chars; encrypts residents' phone numbers at rest (AES-256-GCM) and keys their lookup hashes.
   * Unset: generated at first start and kept in DATA_DIR/secrets.json (see loadConfig).
   */
  DATA_ENCRYPTION_KEY: z.string().min(32, 'at least 32 characters').refine((v) => v !== DEV_DATA_ENCRYPTION_KEY, 'the old development default is public; set a key of your own or leave it unset to have one generated').optional(),
  /** 32+ chars; signs API tokens. Unset: generated at first start and kept in DATA_DIR/secrets.json. */
  JWT_SECRET: z.string().min(32, 'at least 32 characters').refine((v) => v !== DEV_JWT_SECRET, 'the old development default is public (anyone could sign tokens with it); set a secret of your own or leave it unset to have one generated').optional(),
  JWT_TTL: z.string().regex(/^\d+[smhd]$/, 'a duration like 2h or 30m').default('2h'),
  JWT_REFRESH_TTL: z.string().regex(/^\d+[smhd]$/, 'a duration like 30d').default('30d'),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  OPENAI_TRANSCRIBE_MODEL: z.string().default('whisper-1'),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(8000),
  OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** Below this classifier confidence a request goes to the 书记's triage queue. */
  TRIAGE_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.6),
  WECHAT_API_BASE_URL: z.url().default('https://api.weixin.qq.com'),
  WECHAT_APPID: optionalString,
  WECHAT_SECRET: optionalString,
  WECHAT_TEMPLATE_STATUS: optionalString,
  WECHAT_TEMPLATE_CALLBACK: optionalString,
  /** Field mapping of the subscribe-message templates: templateField=source, sources no|status|category|text|time. */
  WECHAT_TEMPLATE_STATUS_FIELDS: z.string().regex(/^\w+=\w+(,\w+=\w+)*$/, 'field=source pairs, e.g. character_string1=no,phrase2=status').default('character_string1=no,phrase2=status,thing3=text,time4=time'),
  WECHAT_TEMPLATE_CALLBACK_FIELDS: z.string().regex(/^\w+=\w+(,\w+=\w+)*$/, 'field=source pairs, e.g. character_string1=no,thing2=text').default('character_string1=no,thing2=text,time3=time'),
  /** Which mini-program version a subscribe message opens. */
  WECHAT_MP_STATE: z.enum(['formal', 'trial', 'developer']).default('formal'),
  WECHAT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  UPLOAD_DIR: z.string().default('./data/uploads'),
  /** API write rate limits (POST/PUT/…): at most this many per window, per signed-in user and per client IP. */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  RATE_LIMIT_WRITES_PER_USER: z.coerce.number().int().positive().default(30),
  RATE_LIMIT_WRITES_PER_IP: z.coerce.number().int().positive().default(120),
  /** true behind one reverse proxy (the client IP is the last X-Forwarded-For entry); false (default) when clients connect directly. */
  TRUST_PROXY: bool.default(false),
  OPEN311_API_KEY: optionalString,
  BOT_ENABLED: bool.default(true),
  /** Outbox throttling: per chat and overall, to keep the account clear of WeChat's risk controls. */
  OUTBOX_PER_CHAT_INTERVAL_MS: z.coerce.number().int().min(0).default(3000),
  OUTBOX_PER_MINUTE: z.coerce.number().int().min(1).default(40),
  JOBS_ENABLED: bool.default(true),
})

/** The parsed settings; the two secrets are always present (from the environment or generated). */
export type Config = Omit<z.infer<typeof envSchema>, 'JWT_SECRET' | 'DATA_ENCRYPTION_KEY'> & { JWT_SECRET: string; DATA_ENCRYPTION_KEY: string }

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses the environment. Secrets left unset come from `secrets` (loadConfig passes the ones kept in the
 * data directory); without it they are random for this process only (tests, the simulator).
 */
export function parseConfig(env: Record<string, string | undefined> = process.env, secrets?: (dataDir: string) => { JWT_SECRET: string; DATA_ENCRYPTION_KEY: string }): Config {
  // Empty strings in .env mean "unset", like most dotenv users expect.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = envSchema.safeParse(cleaned)
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const name = i.path.join('.')
        return `${name}=${JSON.stringify(cleaned[name] ?? '')}: ${i.message}`
      }),
    )
  }
  const data = result.data
  if (data.JWT_SECRET && data.DATA_ENCRYPTION_KEY) return data as Config
  const fill = (secrets ?? ephemeralSecrets)(data.DATA_DIR)
  return { ...data, JWT_SECRET: data.JWT_SECRET ?? fill.JWT_SECRET, DATA_ENCRYPTION_KEY: data.DATA_ENCRYPTION_KEY ?? fill.DATA_ENCRYPTION_KEY }
}

let ephemeral: { JWT_SECRET: string; DATA_ENCRYPTION_KEY: string } | undefined
/** Random secrets for this process only, the same for every parseConfig call in it. */
function ephemeralSecrets() {
  return (ephemeral ??= { JWT_SECRET: randomBytes(32).toString('base64url'), DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64url') })
}

let cached: Config | undefined
/**
 * Loads .env (if present) once and returns the parsed config. A secret not set in the environment is
 * generated at first start and kept in DATA_DIR/secrets.json (mode 600); `{ persistSecrets: false }`
 * (the simulator) uses random ones for this process instead.
 */
export async function loadConfig(o: { persistSecrets?: boolean } = {}): Promise<Config> {
  if (cached) return cached
  const { config } = await import('dotenv')
  config({ quiet: true })
  cached = parseConfig(process.env, o.persistSecrets === false ? undefined : generatedSecrets)
  return cached
}
