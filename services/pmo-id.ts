/**
 * PMO IDs, read in one place: the sync (the Asana custom field), `/pmo` (a typed ID), the update
 * modal and the status-update interpreter (IDs inside a message).
 *
 * The store keeps "PMO-" and the digits as written ("PMO-123", "PMO-0042"); a field value that is
 * not like a PMO ID is kept as given (normalisePmoId).
 */

export const PMO_ID_PREFIX = "PMO-";

/** A whole value that is a PMO ID: "PMO-123", "pmo 123", "pmo_123", "PMO123", "PMO #123", "123". */
const WHOLE_PMO_ID = /^(?:pmo)?[\s_-]*(?:#\s*)?(\d+)$/i;

/**
 * A PMO ID inside a text: the word "pmo" (no letter or digit just before it), at most one of
 * `- _ # : .` with at most a space either side, then 1 to 6 digits not followed by another digit:
 * "PMO-123", "pmo 123", "pmo123", "PMO #123", "pmo: 12". A bare number in a text is no PMO ID.
 */
const PMO_ID_IN_TEXT = /(?<![\p{L}\p{N}])pmo[^\S\n]?[-_#:.]?[^\S\n]?(\d{1,6})(?!\p{N})/giu;

/** The stored form of a PMO ID given its digits (or its number: leading zeros dropped). */
export function formatPmoId(digits: string | number): string {
  return `${PMO_ID_PREFIX}${digits}`;
}

/**
 * A value that is a PMO ID, in the stored form ("pmo_123" -> "PMO-123"); null when it is not one,
 * or has more than `maxDigits` digits.
 */
export function parsePmoId(text: string, options: { maxDigits?: number } = {}): string | null {
  const digits = WHOLE_PMO_ID.exec(text.trim())?.[1];
  if (digits === undefined || digits.length > (options.maxDigits ?? Number.POSITIVE_INFINITY)) return null;
  return formatPmoId(digits);
}

/** An Asana field value as the store keeps it: a PMO ID in its stored form, anything else trimmed. */
export function normalisePmoId(value: string | null): string | null {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return null;
  return parsePmoId(trimmed) ?? trimmed;
}

export type PmoIdMention = {
  /** In the stored form, digits as written. */
  pmoId: string;
  /** Its number: "PMO-0231" and "PMO-231" name the same project. */
  number: number;
  start: number;
  end: number;
};

/** Every PMO ID written in a text, in order, where it stands. */
export function findPmoIds(text: string): PmoIdMention[] {
  return [...text.matchAll(PMO_ID_IN_TEXT)].map((match) => {
    const digits = match[1] ?? "";
    return {
      pmoId: formatPmoId(digits),
      number: Number(digits),
      start: match.index,
      end: match.index + match[0].length,
    };
  });
}

/** The number of a stored PMO ID (its last run of digits), to compare IDs whatever their zeros. */
export function pmoIdNumber(pmoId: string | null): number | null {
  const digits = pmoId?.match(/\d+/g)?.at(-1);
  return digits === undefined ? null : Number(digits);
}
