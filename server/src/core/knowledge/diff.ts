import { diffArrays } from 'diff';

/**
 * The difference between two versions' texts, by words: Chinese has no spaces, so the text is
 * cut with Intl.Segmenter (zh words: 打印机 / 卡纸, Latin words and numbers whole, punctuation
 * and spaces their own pieces) and the word sequences are compared. A character diff would mark
 * 打印机 → 复印机 as one changed character inside an unchanged word; a whitespace diff would mark
 * the whole Chinese sentence.
 */
export interface DiffPart {
  /** same | added | removed */
  op: 'same' | 'added' | 'removed';
  text: string;
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

export function words(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

export function diffTexts(before: string, after: string): DiffPart[] {
  const parts: DiffPart[] = [];
  for (const change of diffArrays(words(before), words(after))) {
    const op = change.added ? 'added' : change.removed ? 'removed' : 'same';
    const text = change.value.join('');
    const last = parts[parts.length - 1];
    if (last && last.op === op) last.text += text;
    else if (text) parts.push({ op, text });
  }
  return parts;
}
