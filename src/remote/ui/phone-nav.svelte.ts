/** One door's own screens, under its home screen (state, unlock and lock). */
export type DoorSection = 'home' | 'people' | 'keys' | 'settings' | 'manage';

/** Which screen the phone app shows: one section at a time, as an app does, never one long page. */
export type PhoneScreen = { readonly tab: 'doors' } | { readonly tab: 'door'; readonly section: DoorSection } | { readonly tab: 'log' } | { readonly tab: 'alerts' };

/**
 * The phone app's navigation: a bottom tab bar (doors, log, alerts) and, inside a door, its
 * sections with a back step to the door and then to the list. Until the admin moves, a phone
 * with one door opens on that door (the list would hold one card) and one with several on the list.
 */
export class PhoneNav {
  #screen = $state<PhoneScreen | null>(null);

  /** The screen for a phone holding `doors` doors. */
  screen(doors: number): PhoneScreen {
    return this.#screen ?? (doors === 1 ? { tab: 'door', section: 'home' } : { tab: 'doors' });
  }

  /** Where the header's back step goes from here, or null at a top-level screen. */
  back(doors: number): PhoneScreen | null {
    const now = this.screen(doors);
    if (now.tab !== 'door') return null;
    return now.section === 'home' ? (doors > 1 ? { tab: 'doors' } : null) : { tab: 'door', section: 'home' };
  }

  go(screen: PhoneScreen): void {
    this.#screen = screen;
  }

  openDoor(section: DoorSection = 'home'): void {
    this.#screen = { tab: 'door', section };
  }
}

/** Up to two initials for a person without a thumbnail ("Grace Hopper" -> "GH"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words.at(-1)!] : words;
  return letters.map((w) => [...w][0]!.toLocaleUpperCase()).join('') || '?';
}
