import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

type Labels = { vi: string; en: string };
export interface VocabularyField {
  name: string;
  type: string;
  sensitive: boolean;
  labels: Labels;
}
export interface VocabularyCategory {
  code: string;
  labels: Labels;
  fields: VocabularyField[];
}
export interface Purpose {
  code: string;
  labels: Labels;
  description: Labels;
}
export interface VocabularyData {
  categories: VocabularyCategory[];
  purposes: Purpose[];
}

/** The published vocabulary (`/v1/vocabulary`): the words for categories, fields and purposes in both languages. */
export class Vocabulary {
  private readonly fields = new Map<string, { category: VocabularyCategory; field: VocabularyField }>();
  private readonly purposes = new Map<string, Purpose>();
  private readonly categories = new Map<string, VocabularyCategory>();

  constructor(readonly data: VocabularyData) {
    for (const category of data.categories) {
      this.categories.set(category.code, category);
      for (const field of category.fields) this.fields.set(`${category.code}.${field.name}`, { category, field });
    }
    for (const purpose of data.purposes) this.purposes.set(purpose.code, purpose);
  }

  static empty(): Vocabulary {
    return new Vocabulary({ categories: [], purposes: [] });
  }

  field(path: string): { category: VocabularyCategory; field: VocabularyField } | undefined {
    return this.fields.get(path);
  }

  category(code: string): VocabularyCategory | undefined {
    return this.categories.get(code);
  }

  purpose(code: string): Purpose | undefined {
    return this.purposes.get(code);
  }

  isSensitive(path: string): boolean {
    return this.fields.get(path)?.field.sensitive ?? false;
  }
}

export const VocabularyContext = createContext<Vocabulary>(Vocabulary.empty());
export const useVocabulary = (): Vocabulary => useContext(VocabularyContext);
