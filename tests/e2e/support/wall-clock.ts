import type { BrowserContext, Page } from '@playwright/test';

type Shifted = typeof globalThis & { __doorwardSetNow?: (t: number) => void };

/**
 * Lets a test move the panel's wall clock (Date) to any instant while timers, animation frames
 * and performance.now() keep real time. Playwright's page.clock fakes those too, and the vision
 * pipeline's frame pacing does not survive that on a busy machine; the panel only reads the
 * wall clock for decisions, so moving Date alone is the faithful version of "it is now 03:00".
 */
export async function installWallClock(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const RealDate = Date;
    let offset = 0;
    class ShiftedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(RealDate.now() + offset);
        else super(...(args as [number]));
      }
      static override now(): number {
        return RealDate.now() + offset;
      }
    }
    (globalThis as unknown as { Date: DateConstructor }).Date = ShiftedDate as DateConstructor;
    (globalThis as Shifted).__doorwardSetNow = (t: number) => (offset = t - RealDate.now());
  });
}

/** Moves the page's wall clock to `at`; it runs on from there at real speed. */
export async function setWallClock(page: Page, at: Date): Promise<void> {
  await page.evaluate((t) => (globalThis as Shifted).__doorwardSetNow?.(t), at.getTime());
}
