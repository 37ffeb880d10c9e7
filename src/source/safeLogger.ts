import type { Logger } from '../logger.ts'

/** `logger` behind a guard: a logger that throws never breaks a source's loop or its acks. */
export function safeLogger(logger: Logger): Logger {
  const guard =
    (level: keyof Logger) =>
    (message: string, ...details: unknown[]) => {
      try {
        logger[level](message, ...details)
      } catch {
        // The logger is the last place an error could be reported; a throwing one is ignored.
      }
    }
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') }
}
