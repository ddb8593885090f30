// The question a live map answers: the browser's copy of core/explain/question.py
// (resolve_indices). Held equal to it on every combination by tests/app/test_question.py;
// whoever changes one changes the other in the same commit.
//
// why: null (the prediction) or a class index; against: null (the runner-up) or a class index.
// Thesis mode explains the whole output (its target is the prediction, no contrast); target
// mode has no contrast; contrast mode argues against `against`, or against the runner-up (the
// most probable other class, the first one on a tie) when `against` is null or names the
// target itself ("why 2 and not 2" is no question).

/** First index of the largest value, skipping index `skip` (numpy's argmax keeps the first). */
export function argmax(values, skip = -1) {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    if (i !== skip && (best < 0 || values[i] > values[best])) best = i;
  }
  return best;
}

/** {target, contrast} (contrast null outside contrast mode) for these probabilities. */
export function resolveQuestion(mode, why, against, probabilities) {
  const predicted = argmax(probabilities);
  const target = why === null || why === undefined || mode === "thesis" ? predicted : why;
  if (mode !== "contrast") return { target, contrast: null };
  if (against !== null && against !== undefined && against !== target) {
    return { target, contrast: against };
  }
  return { target, contrast: argmax(probabilities, target) };
}
