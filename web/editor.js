// editor.js: the playground's code editor, CodeMirror 6 with the Lua mode from
// @codemirror/legacy-modes, a light or dark theme that follows prefers-color-scheme, and a
// highlighted line for the last error. Bundled by esbuild (Makefile: build/web/app.js).
import { EditorState, StateEffect, StateField, Compartment, Prec } from '@codemirror/state';
import {
  EditorView, Decoration, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, indentOnInput, bracketMatching } from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { lua } from '@codemirror/legacy-modes/mode/lua';
import { oneDark } from '@codemirror/theme-one-dark';

const setError = StateEffect.define();
const errorLine = Decoration.line({ class: 'cu-error-line' });

/** The line of the last error, until the code is edited. */
const errorField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (e.is(setError)) return e.value === null ? Decoration.none : Decoration.set([errorLine.range(tr.state.doc.line(e.value).from)]);
    }
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

// The editor fills its pane; the pane's CSS decides the size.
const layout = EditorView.theme({
  '&': { height: '100%', fontSize: '14px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-content': { padding: '10px 0' },
  '.cm-gutters': { border: 'none' },
});
const light = [syntaxHighlighting(defaultHighlightStyle), EditorView.theme({
  '&': { backgroundColor: 'var(--panel)', color: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)' },
  '.cm-activeLine': { backgroundColor: 'rgba(0, 0, 0, 0.035)' },
  '.cm-activeLineGutter': { backgroundColor: 'rgba(0, 0, 0, 0.05)' },
})];
const dark = [oneDark, EditorView.theme({ '&': { backgroundColor: 'var(--panel)' }, '.cm-gutters': { backgroundColor: 'var(--panel)' } }, { dark: true })];

/**
 * @param {HTMLElement} parent
 * @param {{ doc: string, onRun: () => void, onChange: (code: string) => void }} options
 */
export function createEditor(parent, { doc, onRun, onChange }) {
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  const theme = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
        indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(), highlightSelectionMatches(),
        StreamLanguage.define(lua),
        EditorState.tabSize.of(2),
        // Ctrl/Cmd+Enter runs; it must win over the default keymap's insertBlankLine.
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => { onRun(); return true; } }])),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
        layout,
        theme.of(scheme.matches ? dark : light),
        errorField,
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
        EditorView.contentAttributes.of({ 'aria-label': 'Lua code' }),
      ],
    }),
  });
  scheme.addEventListener('change', () => view.dispatch({ effects: theme.reconfigure(scheme.matches ? dark : light) }));

  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode(code) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, selection: { anchor: 0 }, scrollIntoView: true });
    },
    /** Highlights line n (1-based) and scrolls to it; null clears. */
    showError(n) {
      if (n !== null && (n < 1 || n > view.state.doc.lines)) n = null;
      const effects = [setError.of(n)];
      if (n !== null) effects.push(EditorView.scrollIntoView(view.state.doc.line(n).from, { y: 'center' }));
      view.dispatch({ effects });
    },
    focus: () => view.focus(),
  };
}
