/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser build). The browser suites run when
 * Chromium is installed; without it they are skipped with a message, or fail when REQUIRE_BROWSER=1 (CI).
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const browserAvailable = existsSync(CHROMIUM_PATH)
export const browserRequired = process.env.REQUIRE_BROWSER === '1'
export const NO_BROWSER_MESSAGE = `Chromium not found at ${CHROMIUM_PATH}: browser tests skipped (apt-get install -y chromium; REQUIRE_BROWSER=1 makes this a failure)`

/** Playwright gives every launch a fresh temporary user-data-dir of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=zh-CN'],
  })
}

/**
 * A full-page screenshot kept for review. A loaded machine sometimes makes Chromium answer "Unable to capture
 * screenshot" when no frame is ready in time; the picture is a record, not the test, so ask again a few times.
 */
export async function screenshotFile(page: Page, path: string, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.screenshot({ path, fullPage: true })
      return
    } catch (error) {
      if (attempt >= attempts || !String(error).includes('Unable to capture screenshot')) throw error
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(undefined))))
    }
  }
}
