import { Select, TextInput } from '@mantine/core';
import type { Schemas } from '../../api';

/** A party's kind, as the screening API takes it (FollowTheMoney schema names). */
type Kind = NonNullable<Schemas['ScreeningQuery']['schema']>;

export const SCHEMAS: readonly Kind[] = ['Person', 'Organization', 'Company', 'Vessel', 'Aircraft'];

/** What a screening query or a monitored party may say besides its name. */
export interface PartyDetails {
  schema: Kind | null;
  birthDate: string;
  nationality: string;
}

export const EMPTY_DETAILS: PartyDetails = { schema: null, birthDate: '', nationality: '' };

/** The filled-in details, as the API takes them (empty fields left out). */
export function detailsForApi(d: PartyDetails): {
  schema?: Kind;
  birthDate?: string;
  nationality?: string;
} {
  return {
    ...(d.schema ? { schema: d.schema } : {}),
    ...(d.birthDate.trim() ? { birthDate: d.birthDate.trim() } : {}),
    ...(d.nationality.trim() ? { nationality: d.nationality.trim() } : {}),
  };
}

/** Kind, date of birth and nationality inputs, shared by the search and monitoring forms. */
export function PartyDetailFields({
  value,
  onChange,
}: {
  value: PartyDetails;
  onChange: (next: PartyDetails) => void;
}) {
  return (
    <>
      <Select
        label="Kind"
        placeholder="any"
        data={SCHEMAS}
        value={value.schema}
        onChange={(schema) => onChange({ ...value, schema })}
        clearable
        w={150}
      />
      <TextInput
        label="Date of birth"
        placeholder="YYYY or YYYY-MM-DD"
        value={value.birthDate}
        onChange={(e) => onChange({ ...value, birthDate: e.currentTarget.value })}
        w={160}
      />
      <TextInput
        label="Nationality"
        placeholder="country or code"
        value={value.nationality}
        onChange={(e) => onChange({ ...value, nationality: e.currentTarget.value })}
        w={160}
      />
    </>
  );
}
