/** Free text is stored as given, but control characters (NUL breaks PostgreSQL text) are refused. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const hasControlCharacters = (text: string): boolean => CONTROL.test(text);

export const MAX_DESCRIPTION_LENGTH = 500;
