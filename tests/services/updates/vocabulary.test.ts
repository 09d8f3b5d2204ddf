import { describe, expect, it } from "vitest";
import { wordsRegex } from "../../../services/updates/patterns.ts";
import { foldWord } from "../../../services/updates/slack-text.ts";
import { LIST_CUES, NO_LIST_CUES } from "../../../services/updates/vocabulary.ts";

/** The cue that reads the whole phrase, as the interpreter compiles it (folded text). */
function cueOf(text: string): string | null {
  const folded = foldWord(text);
  const cue = LIST_CUES.find((candidate) =>
    [
      ...folded.matchAll(wordsRegex(candidate.pattern, { end: "(?:(?<=[:=\\-–—])|(?![\\p{L}\\p{N}]))" })),
    ].some((match) => match.index === 0 && match[0] === folded),
  );
  return cue === undefined ? null : `${cue.list}/${cue.health ?? "-"}`;
}

describe("the list cues compiled from the phrase lists", () => {
  it.each([
    ["Riesgos:", "risks/-"],
    ["Los principales riesgos identificados:", "risks/-"],
    ["the main risk is", "risks/-"],
    ["los riesgos son", "risks/-"],
    ["Preocupación:", "risks/-"],
    ["nos preocupa", "risks/-"],
    ["worried about", "risks/-"],
    ["riesgo alto de que", "risks/-"],
    ["risk of", "risks/-"],
    ["en riesgo por culpa de", "risks/at_risk"],
    ["at risk due to", "risks/at_risk"],
    ["en amarillo por", "risks/at_risk"],
    ["Bloqueos:", "blockers/-"],
    ["blocking issues =", "blockers/-"],
    ["tenemos un bloqueo con", "blockers/-"],
    ["el bloqueo principal es", "blockers/-"],
    ["frenadas esperando", "blockers/-"],
    ["stuck waiting on", "blockers/-"],
    ["bloqueados hasta que", "blockers/-"],
    ["Root cause:", "blockers/-"],
    ["pausado por", "blockers/on_hold"],
    ["on hold waiting for", "blockers/on_hold"],
    ["retrasado 2 semanas por", "blockers/off_track"],
    ["con atraso de una semana debido a", "blockers/off_track"],
    ["en rojo a causa de", "blockers/off_track"],
    ["behind schedule because", "blockers/off_track"],
    ["Próximos pasos son:", "nextSteps/-"],
    ["pasos a seguir", "nextSteps/-"],
    ["todavía faltan", "nextSteps/-"],
    ["remaining:", "nextSteps/-"],
    ["siguiente hito", "nextSteps/-"],
    ["next steps include:", "nextSteps/-"],
    ["To-do:", "nextSteps/-"],
    ["la semana que viene:", "nextSteps/-"],
  ])("%j -> %s", (text, cue) => {
    expect(cueOf(text)).toBe(cue);
  });

  it.each(["riesgo", "bloqueado", "next", "retrasado por 2 semanas", "delayed by three weeks"])(
    "%j alone opens no list",
    (text) => {
      const folded = foldWord(text);
      const opened = LIST_CUES.some((cue) =>
        wordsRegex(cue.pattern, { end: "(?:(?<=[:=\\-–—])|(?![\\p{L}\\p{N}]))" }).test(folded),
      );
      expect(opened).toBe(false);
    },
  );

  it.each([
    ["sin riesgos", "risks"],
    ["no new risks", "risks"],
    ["no se identifican riesgos", "risks"],
    ["no blockers", "blockers"],
    ["nada nos bloquea", "blockers"],
    ["desbloqueadas", "blockers"],
  ])("%j says the %s list is empty", (text, list) => {
    const empty = NO_LIST_CUES.filter((cue) => wordsRegex(cue.pattern).test(foldWord(text))).map(
      (cue) => cue.list,
    );
    expect(empty).toEqual([list]);
  });
});
