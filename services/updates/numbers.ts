import { alternation } from "./patterns.ts";

/** Numbers written as words, 0 to 100, in Spanish and English, folded (no accents, lower case). */

const SPANISH_UP_TO_29 = [
  "cero",
  "uno",
  "dos",
  "tres",
  "cuatro",
  "cinco",
  "seis",
  "siete",
  "ocho",
  "nueve",
  "diez",
  "once",
  "doce",
  "trece",
  "catorce",
  "quince",
  "dieciseis",
  "diecisiete",
  "dieciocho",
  "diecinueve",
  "veinte",
  "veintiuno",
  "veintidos",
  "veintitres",
  "veinticuatro",
  "veinticinco",
  "veintiseis",
  "veintisiete",
  "veintiocho",
  "veintinueve",
];
const SPANISH_TENS = ["treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa"];

const ENGLISH_UP_TO_19 = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const ENGLISH_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

function buildNumberWords(): Map<string, number> {
  const words = new Map<string, number>();
  for (const [value, word] of SPANISH_UP_TO_29.entries()) words.set(word, value);
  SPANISH_TENS.forEach((tens, index) => {
    const value = 30 + index * 10;
    words.set(tens, value);
    for (let unit = 1; unit <= 9; unit++) words.set(`${tens} y ${SPANISH_UP_TO_29[unit]}`, value + unit);
  });
  words.set("cien", 100);
  for (const [value, word] of ENGLISH_UP_TO_19.entries()) words.set(word, value);
  ENGLISH_TENS.forEach((tens, index) => {
    const value = 20 + index * 10;
    words.set(tens, value);
    for (let unit = 1; unit <= 9; unit++) {
      words.set(`${tens}-${ENGLISH_UP_TO_19[unit]}`, value + unit);
      words.set(`${tens} ${ENGLISH_UP_TO_19[unit]}`, value + unit);
    }
  });
  for (const hundred of ["hundred", "one hundred", "a hundred"]) words.set(hundred, 100);
  return words;
}

export const NUMBER_WORDS: ReadonlyMap<string, number> = buildNumberWords();

/** A regex alternation of every number word, longest first. */
export const NUMBER_WORD_PATTERN = alternation([...NUMBER_WORDS.keys()]);

/** A number written in digits ("70", "70,5") or words ("setenta y cinco"); null when it is neither. */
export function readNumber(text: string): number | null {
  const folded = text.trim().replace(/\s+/g, " ");
  const fromWords = NUMBER_WORDS.get(folded);
  if (fromWords !== undefined) return fromWords;
  if (!/^\d{1,4}(?:[.,]\d{1,3})?$/.test(folded)) return null;
  return Number(folded.replace(",", "."));
}
