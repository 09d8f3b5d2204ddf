import type { JsonObject } from "./json.ts";

/** The workspace the sandbox pretends to be, and the app installed in it. */
export const SANDBOX_TEAM = { id: "T0SBX00001", domain: "pmo-sandbox", name: "PMO Sandbox" } as const;
export const SANDBOX_APP = {
  appId: "A0SBXPULSE",
  botUserId: "U0SBXBOT01",
  botId: "B0SBXBOT01",
  botName: "pmo-pulse",
} as const;

export type SandboxSlackUser = {
  id: string;
  /** The handle, e.g. "ana.torres". */
  name: string;
  realName: string;
  email: string;
  /** Slack's locale codes, e.g. "es-LA" or "en-US". */
  locale: string;
  /** An IANA zone, e.g. "America/Bogota". */
  tz: string;
  isAdmin: boolean;
};

export type SandboxSlackChannel = { id: string; name: string };

export const DEFAULT_USERS: readonly SandboxSlackUser[] = [
  {
    id: "U0SBXADM01",
    name: "ana.torres",
    realName: "Ana Torres",
    email: "ana.torres@empresa.example",
    locale: "es-LA",
    tz: "America/Bogota",
    isAdmin: true,
  },
  {
    id: "U0SBXPM001",
    name: "carlos.mendez",
    realName: "Carlos Méndez",
    email: "carlos.mendez@empresa.example",
    locale: "es-LA",
    tz: "America/Mexico_City",
    isAdmin: false,
  },
  {
    id: "U0SBXPM002",
    name: "lucia.ramirez",
    realName: "Lucía Ramírez",
    email: "lucia.ramirez@empresa.example",
    locale: "es-LA",
    tz: "America/Lima",
    isAdmin: false,
  },
  {
    id: "U0SBXPM003",
    name: "john.smith",
    realName: "John Smith",
    email: "john.smith@empresa.example",
    locale: "en-US",
    tz: "America/New_York",
    isAdmin: false,
  },
];

export const DEFAULT_CHANNELS: readonly SandboxSlackChannel[] = [
  { id: "C0SBXPMO01", name: "pmo-alertas" },
  { id: "C0SBXGEN01", name: "general" },
];

/** The app's DM with a user: one per user, derived from the user id so it is stable across runs. */
export function dmChannelId(userId: string): string {
  return `D${userId.replace(/^[UW]/, "")}`;
}

/** A user as users.info and users.lookupByEmail answer it. */
export function userRecord(user: SandboxSlackUser, withLocale: boolean, at: Date): JsonObject {
  const { offsetSeconds, label } = zoneOf(user.tz, at);
  return {
    id: user.id,
    team_id: SANDBOX_TEAM.id,
    name: user.name,
    deleted: false,
    color: "9f69e7",
    real_name: user.realName,
    tz: user.tz,
    tz_label: label,
    tz_offset: offsetSeconds,
    profile: {
      real_name: user.realName,
      real_name_normalized: user.realName.normalize("NFD").replace(/\p{Diacritic}/gu, ""),
      display_name: user.name,
      display_name_normalized: user.name,
      email: user.email,
      team: SANDBOX_TEAM.id,
      image_48: "https://a.slack-edge.com/80588/img/avatars/ava_0001-48.png",
    },
    is_admin: user.isAdmin,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: false,
    is_app_user: false,
    updated: 1_700_000_000,
    ...(withLocale ? { locale: user.locale } : {}),
  };
}

function zoneOf(tz: string, at: Date): { offsetSeconds: number; label: string } {
  const part = (style: "longOffset" | "long") =>
    new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: style })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part("longOffset"));
  const offsetSeconds =
    match === null
      ? 0
      : (match[1] === "-" ? -1 : 1) * (Number(match[2] ?? 0) * 3600 + Number(match[3] ?? 0) * 60);
  return { offsetSeconds, label: part("long") };
}
