/**
 * dhcp-eval(5) functions and value words, described for completion and
 * hover. The parser accepts any NAME(...) as a call; these are the ones ISC
 * DHCP implements.
 */
export interface EvalWord {
  readonly name: string;
  readonly syntax: string;
  readonly doc: string;
}

export const EVAL_WORDS: readonly EvalWord[] = [
  { name: 'substring', syntax: 'substring(DATA, OFFSET, LENGTH)', doc: 'LENGTH bytes of DATA from OFFSET (0-based). The PXE test is `substring(option vendor-class-identifier, 0, 9) = "PXEClient"`.' },
  { name: 'suffix', syntax: 'suffix(DATA, LENGTH)', doc: 'The last LENGTH bytes of DATA.' },
  { name: 'concat', syntax: 'concat(DATA, DATA, ...)', doc: 'The data joined end to end.' },
  { name: 'binary-to-ascii', syntax: 'binary-to-ascii(BASE, WIDTH, SEPARATOR, DATA)', doc: 'Each WIDTH-bit number of DATA written in BASE and joined with SEPARATOR; e.g. a MAC as text: `binary-to-ascii(16, 8, ":", substring(hardware, 1, 6))`.' },
  { name: 'encode-int', syntax: 'encode-int(NUMBER, WIDTH)', doc: 'NUMBER as WIDTH-bit big-endian bytes.' },
  { name: 'extract-int', syntax: 'extract-int(DATA, WIDTH)', doc: 'The WIDTH-bit big-endian number at the start of DATA.' },
  { name: 'packet', syntax: 'packet(OFFSET, LENGTH)', doc: 'Raw bytes of the client\'s packet.' },
  { name: 'pick-first-value', syntax: 'pick-first-value(DATA, DATA, ...)', doc: 'The first argument that is not null.' },
  { name: 'reverse', syntax: 'reverse(WIDTH, DATA)', doc: 'DATA in WIDTH-byte chunks, in reverse order (for in-addr.arpa names).' },
  { name: 'lcase', syntax: 'lcase(DATA)', doc: 'DATA in lower case.' },
  { name: 'ucase', syntax: 'ucase(DATA)', doc: 'DATA in upper case.' },
  { name: 'gethostname', syntax: 'gethostname()', doc: 'The server\'s host name.' },
  { name: 'defined', syntax: 'defined(VARIABLE)', doc: 'True when the variable was set.' },
  { name: 'exists', syntax: 'exists OPTION', doc: 'True when the client sent the option: `if exists user-class and option user-class = "iPXE"`.' },
  { name: 'option', syntax: 'option NAME', doc: 'The payload of an option the client sent, as bytes (compare with a string or hex `00:07`).' },
  { name: 'config-option', syntax: 'config-option NAME', doc: 'The value this configuration sets for the option.' },
  { name: 'hardware', syntax: 'hardware', doc: 'The client\'s hardware type byte followed by its address (`1:52:54:00:...` for Ethernet).' },
  { name: 'known', syntax: 'known', doc: 'True when a host declaration matches the client.' },
  { name: 'static', syntax: 'static', doc: 'True when the client gets a fixed address.' },
  { name: 'leased-address', syntax: 'leased-address', doc: 'The address being leased.' },
  { name: 'host-decl-name', syntax: 'host-decl-name', doc: 'The name of the host declaration that matched.' },
];

export function evalWord(name: string): EvalWord | undefined {
  return EVAL_WORDS.find((w) => w.name === name.toLowerCase());
}
