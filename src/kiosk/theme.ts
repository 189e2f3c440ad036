/** Night theme from 20:00 to 07:00 local time, unless the URL pins one (`?theme=night`). */
export type Theme = 'day' | 'night';

export function themeFor(hour: number, override: string | null): Theme {
  if (override === 'day' || override === 'night') return override;
  return hour >= 20 || hour < 7 ? 'night' : 'day';
}

/** The phone app follows the phone's own light/dark choice (prefers-color-scheme), unless the URL pins one. */
export function phoneThemeFor(prefersDark: boolean, override: string | null): Theme {
  if (override === 'day' || override === 'night') return override;
  return prefersDark ? 'night' : 'day';
}
