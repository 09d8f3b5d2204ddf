import type { es } from "./es.ts";

/** The type machinery behind t(): keys come from the Spanish catalog, parameters from its placeholders. */

type Spanish = typeof es;
export type MessageKey = keyof Spanish;

/** `"Vence en {days} {days:día|días}"` -> `"days"`. */
export type Placeholders<Template extends string> = Template extends `${string}{${infer Inside}}${infer Rest}`
  ? (Inside extends `${infer Name}:${string}` ? Name : Inside) | Placeholders<Rest>
  : never;

export type ParamsOf<K extends MessageKey> = { readonly [P in Placeholders<Spanish[K]>]: string | number };

/** `[]` for a message without placeholders, `[params]` otherwise. */
export type ParamsArgument<K extends MessageKey> = [Placeholders<Spanish[K]>] extends [never]
  ? []
  : [params: ParamsOf<K>];

type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (arg: infer I) => void
  ? I
  : never;

type Mention<Name> = Name extends string ? `${string}{${Name}${string}` : never;

/** A string that mentions every placeholder of the Spanish template (order free). */
type Mentioning<Template extends string> = [Placeholders<Template>] extends [never]
  ? string
  : UnionToIntersection<Mention<Placeholders<Template>>>;

/** Another language: exactly the Spanish keys, each mentioning the same placeholders. */
export type Catalog = { readonly [K in MessageKey]: Mentioning<Spanish[K]> };
