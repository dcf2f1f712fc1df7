/** The early-stopping metrics, on the validation rows' margins (AUC is also exported). */

/** Mean logistic loss of margins (log-odds) against 0/1 labels. */
export function logLoss(margin: Float64Array, labels: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < margin.length; i++) {
    const z = margin[i] as number;
    // log(1 + e^{-z}) for y=1, log(1 + e^{z}) for y=0, computed stably.
    const s = labels[i] === 1 ? -z : z;
    sum += s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
  }
  return sum / Math.max(1, margin.length);
}

/** Area under the ROC curve (Mann–Whitney U with tied scores counted as halves). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let pos = 0;
  let rankSum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1] as number] === scores[order[i] as number])
      j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number] === 1) {
        pos++;
        rankSum += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) return 0.5;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
