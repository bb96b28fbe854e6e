// Inline SVG icons (stroke style, 16px by default), so the shell needs no icon font or extra requests.
import type { JSX } from "solid-js";

type IconProps = { size?: number };

/** `paths` is a function: JSX creates DOM nodes, and each icon instance needs its own. */
function icon(paths: () => JSX.Element) {
  return (props: IconProps) => (
    <svg
      width={props.size ?? 16}
      height={props.size ?? 16}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      {paths()}
    </svg>
  );
}

export const DashboardIcon = icon(() => (
  <>
    <rect x="3" y="3" width="7" height="9" rx="1.5" />
    <rect x="14" y="3" width="7" height="5" rx="1.5" />
    <rect x="14" y="12" width="7" height="9" rx="1.5" />
    <rect x="3" y="16" width="7" height="5" rx="1.5" />
  </>
));
export const DiscordIcon = icon(() => (
  <>
    <path d="M8 17c-2.5-.5-4-1.5-5-2.5C3 9 5 5 7 4l2 .5M16 17c2.5-.5 4-1.5 5-2.5 0-5.5-2-9.5-4-10.5l-2 .5" />
    <path d="M8 16.5c2.5 1 5.5 1 8 0M9 4.5c2-.5 4-.5 6 0" />
    <circle cx="9" cy="12" r="1" />
    <circle cx="15" cy="12" r="1" />
  </>
));
export const StreamIcon = icon(() => (
  <>
    <rect x="2" y="6" width="14" height="12" rx="2" />
    <path d="m16 10 6-3v10l-6-3" />
  </>
));
export const SettingsIcon = icon(() => (
  <>
    <circle cx="12" cy="12" r="3" />
    <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
  </>
));
export const ChevronDownIcon = icon(() => <path d="m6 9 6 6 6-6" />);
export const CheckIcon = icon(() => <path d="M20 6 9 17l-5-5" />);
export const PlusIcon = icon(() => <path d="M12 5v14M5 12h14" />);
export const MenuIcon = icon(() => <path d="M4 6h16M4 12h16M4 18h16" />);
export const CloseIcon = icon(() => <path d="M18 6 6 18M6 6l12 12" />);
export const CopyIcon = icon(() => (
  <>
    <rect x="9" y="9" width="12" height="12" rx="2" />
    <path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1" />
  </>
));
export const AlertIcon = icon(() => (
  <>
    <circle cx="12" cy="12" r="10" />
    <path d="M12 8v4M12 16h.01" />
  </>
));
export const KeyIcon = icon(() => (
  <>
    <circle cx="7.5" cy="15.5" r="4.5" />
    <path d="m10.7 12.3 9.3-9.3M16 7l3 3M14 9l2 2" />
  </>
));
export const UsersIcon = icon(() => (
  <>
    <path d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2" />
    <circle cx="9" cy="7" r="4" />
    <path d="M22 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8" />
  </>
));
export const MailIcon = icon(() => (
  <>
    <rect x="2" y="4" width="20" height="16" rx="2" />
    <path d="m22 7-10 6L2 7" />
  </>
));
export const ListIcon = icon(() => <path d="M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01" />);
export const RefreshIcon = icon(() => (
  <>
    <path d="M21 12a9 9 0 1 1-2.6-6.4L21 8" />
    <path d="M21 3v5h-5" />
  </>
));

/** The product mark: a planet with a ring, in the accent color. */
export function NebulaMark(props: { class?: string }) {
  return (
    <svg class={props.class ?? "brand-mark"} viewBox="0 0 32 32" aria-hidden="true">
      <defs>
        <linearGradient id="nebula-mark" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stop-color="#a78bfa" />
          <stop offset="1" stop-color="#6d28d9" />
        </linearGradient>
      </defs>
      <circle cx="16" cy="16" r="7.5" fill="url(#nebula-mark)" />
      <ellipse cx="16" cy="16" rx="14" ry="4.8" fill="none" stroke="#c4b5fd" stroke-width="1.6" transform="rotate(-25 16 16)" />
    </svg>
  );
}
