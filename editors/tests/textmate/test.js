#!/usr/bin/env node
// Tokenizes every example (examples/**/*.pipe, tests/golden/**/*.pipe and
// editors/tests/sample.pipe) with the engine VS Code uses (vscode-textmate on
// vscode-oniguruma) and checks the scopes that editors/vscode/syntaxes/
// pipe.tmLanguage.json gives:
//   1. a table of expectations at given places (keyword, string, comment, ...);
//   2. every token that pipec's own lexer would see (re-lexed here after
//      grammar/lexer.l) gets the scope of its kind, on every one of its
//      characters: keywords, strings, escapes, comments, numbers, operators,
//      punctuation, types; no identifier is mistaken for a keyword, type,
//      string or number; no character is left with only source.pipe.
// Prints one line per failure and ends with `textmate: N passed, M failed`.
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GRAMMAR = path.join(ROOT, 'editors/vscode/syntaxes/pipe.tmLanguage.json');

let passed = 0;
let failed = 0;
const failures = [];
function check(ok, what) {
    if (ok) passed++;
    else {
        failed++;
        failures.push(what);
    }
}

function listPipeFiles() {
    const out = [];
    const walk = dir => {
        if (!fs.existsSync(dir)) return;
        for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.name.endsWith('.pipe')) out.push(p);
        }
    };
    walk(path.join(ROOT, 'examples'));
    walk(path.join(ROOT, 'tests/golden'));
    out.push(path.join(ROOT, 'editors/tests/sample.pipe'));
    return out;
}

async function loadGrammar() {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')).buffer;
    await oniguruma.loadWASM(wasm);
    const registry = new vsctm.Registry({
        onigLib: Promise.resolve({
            createOnigScanner: sources => new oniguruma.OnigScanner(sources),
            createOnigString: s => new oniguruma.OnigString(s),
        }),
        loadGrammar: async scopeName => {
            if (scopeName !== 'source.pipe') return null;
            return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
        },
    });
    return registry.loadGrammar('source.pipe');
}

// scopes[line][col] = array of scope names for each UTF-16 unit of the line
function tokenize(grammar, text) {
    const lines = text.split('\n');
    let stack = vsctm.INITIAL;
    return lines.map(line => {
        const r = grammar.tokenizeLine(line, stack);
        stack = r.ruleStack;
        const per = new Array(line.length);
        for (const t of r.tokens)
            for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) per[i] = t.scopes;
        return per;
    });
}

// ---- an independent lexer after grammar/lexer.l -------------------------
const KEYWORDS = new Set(('pipeline proc extern from import state on end let if then else for in while emit ' +
    'true false and or not record none fn return').split(' '));
const TYPES = new Set(['str', 'int', 'float', 'bool']);
// stages usable without arguments: highlighted as builtins wherever they appear
const BARE_BUILTINS = new Set(('stdin stdout stderr discard upper lower trim words uniq distinct sort count ' +
    'count_items sum min max avg enumerate to_int to_float').split(' '));
// builtins that take arguments: highlighted as builtins when called
const CALL_BUILTINS = new Set(('file files range lines append grep grep_v grep_f replace find_all split field ' +
    'head tail skip top map filter flat_map format tee exec merge concat zip len contains starts_with ends_with ' +
    'find substr matches join abs add remove keys str').split(' '));

function lex(line) {
    const toks = [];
    let i = 0;
    let afterDot = false;
    const push = (kind, start, end) => toks.push({ kind, start, end, text: line.slice(start, end) });
    while (i < line.length) {
        const rest = line.slice(i);
        let m;
        if (afterDot && (m = /^[0-9]+/.exec(rest))) { push('field', i, i + m[0].length); i += m[0].length; afterDot = false; continue; }
        afterDot = false;
        if ((m = /^[ \t\r]+/.exec(rest))) { i += m[0].length; continue; }
        if (rest[0] === '#') { push('comment', i, line.length); break; }
        if ((m = /^"(?:[^"\\]|\\.)*"?/.exec(rest))) {
            push('string', i, i + m[0].length);
            // escapes inside
            const re = /\\(?:[nrt0\\"]|x[0-9A-Fa-f]{2})/g;
            let e;
            while ((e = re.exec(m[0]))) push('escape', i + e.index, i + e.index + e[0].length);
            i += m[0].length;
            continue;
        }
        if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
            const w = m[0];
            const kind = KEYWORDS.has(w) ? 'keyword' : TYPES.has(w) ? 'type' : 'ident';
            push(kind, i, i + w.length);
            i += w.length;
            continue;
        }
        if ((m = /^(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|0[xX][0-9A-Fa-f]+|[0-9]+)/.exec(rest))) {
            push('number', i, i + m[0].length);
            i += m[0].length;
            continue;
        }
        if ((m = /^(?:->|=>|==|!=|<=|>=|\+=|-=|\*=|\/=|\?\?|[-+*\/%<>=|?])/.exec(rest))) {
            push('operator', i, i + m[0].length);
            i += m[0].length;
            continue;
        }
        if ((m = /^[,:()\[\]{};.]/.exec(rest))) {
            push('punct', i, i + 1);
            if (m[0] === '.') afterDot = true;
            i += 1;
            continue;
        }
        push('other', i, i + 1);
        i++;
    }
    return toks;
}

const has = (scopes, prefix) => !!scopes && scopes.some(s => s === prefix || s.startsWith(prefix.endsWith('.') ? prefix : prefix + '.'));

function expectedPrefixes(tok, toks, k, line) {
    switch (tok.kind) {
        case 'comment': return ['comment.line.number-sign'];
        case 'string': return ['string.quoted.double'];
        case 'escape': return ['constant.character.escape'];
        case 'number': return ['constant.numeric'];
        case 'field': return ['constant.numeric'];
        case 'keyword':
            if (tok.text === 'true' || tok.text === 'false') return ['constant.language.boolean'];
            if (tok.text === 'none') return ['constant.language.none'];
            if (['and', 'or', 'not'].includes(tok.text)) return ['keyword.operator.logical'];
            return ['keyword'];
        case 'type': {
            const next = line.slice(tok.end).trimStart();
            if (tok.text === 'str' && next.startsWith('(')) return ['support.function.builtin'];
            return ['support.type.primitive'];
        }
        case 'operator':
            if (tok.text === '|') return ['keyword.operator.pipe'];
            if (tok.text === '=>' || tok.text === '->') return ['keyword.operator.arrow'];
            if (/^[-+*\/]=$/.test(tok.text) || tok.text === '=') return ['keyword.operator.assignment'];
            if (/^(==|!=|<=|>=|<|>)$/.test(tok.text)) return ['keyword.operator.comparison'];
            if (tok.text === '??') return ['keyword.operator.coalesce'];
            if (tok.text === '?') return ['keyword.operator.optional'];
            return ['keyword.operator.arithmetic'];
        case 'punct': return ['punctuation'];
        case 'ident': {
            const prev = k > 0 ? toks[k - 1] : null;
            const next = line.slice(tok.end).trimStart();
            if (prev && prev.kind === 'keyword' && ['proc', 'pipeline', 'fn'].includes(prev.text))
                return ['entity.name.function'];
            // a name declared by state or let, even one that is a stage's (`state count: ...`)
            if (prev && prev.kind === 'keyword' && (prev.text === 'state' || prev.text === 'let'))
                return ['variable.other.declaration'];
            if (BARE_BUILTINS.has(tok.text)) return ['support.function.builtin'];
            if (CALL_BUILTINS.has(tok.text) && next.startsWith('(')) return ['support.function.builtin'];
            return null; // any other scope will do (checked below)
        }
        default: return null;
    }
}

// scopes an identifier must never get
const NOT_FOR_IDENT = ['keyword', 'string', 'comment', 'constant', 'support.type', 'invalid'];

// ---- the table of expectations: [file, line, text, occurrence, scope] -----
const TABLE = [
    ['examples/top_words.pipe', 2, 'pipeline', 1, 'keyword.declaration.pipeline'],
    ['examples/top_words.pipe', 2, 'main', 1, 'entity.name.function'],
    ['examples/top_words.pipe', 2, 'n', 1, 'variable.parameter'],
    ['examples/top_words.pipe', 2, 'int', 1, 'support.type.primitive'],
    ['examples/top_words.pipe', 2, '10', 1, 'constant.numeric.integer'],
    ['examples/top_words.pipe', 2, '=', 1, 'keyword.operator.assignment'],
    ['examples/top_words.pipe', 1, '#', 1, 'comment.line.number-sign'],
    ['examples/top_words.pipe', 1, 'frequent', 1, 'comment.line.number-sign'],
    ['examples/top_words.pipe', 3, 'stdin', 1, 'support.function.builtin'],
    ['examples/top_words.pipe', 4, '|', 1, 'keyword.operator.pipe'],
    ['examples/top_words.pipe', 5, 'words', 1, 'support.function.builtin'],
    ['examples/top_words.pipe', 5, 'str -> str', 1, 'comment.line.number-sign'],
    ['examples/top_words.pipe', 7, 'by', 1, 'variable.parameter'],
    ['examples/top_words.pipe', 7, '=>', 1, 'keyword.operator.arrow'],
    ['examples/top_words.pipe', 7, '1', 1, 'constant.numeric'],
    ['examples/top_words.pipe', 8, '"\\t"', 1, 'string.quoted.double'],
    ['examples/top_words.pipe', 8, '\\t', 1, 'constant.character.escape'],
    ['examples/top_words.pipe', 8, 'str', 1, 'support.function.builtin'],
    ['examples/top_words.pipe', 8, '+', 1, 'keyword.operator.arithmetic'],
    ['examples/params.pipe', 2, '"ERROR"', 1, 'string.quoted.double'],
    ['examples/params.pipe', 2, 'false', 1, 'constant.language.boolean'],
    ['examples/params.pipe', 2, 'bool', 1, 'support.type.primitive'],
    ['examples/params.pipe', 5, 'if', 1, 'keyword.control'],
    ['examples/params.pipe', 5, 'then', 1, 'keyword.control'],
    ['examples/params.pipe', 5, 'else', 1, 'keyword.control'],
    ['examples/histogram.pipe', 3, 'proc', 1, 'keyword.declaration.proc'],
    ['examples/histogram.pipe', 3, '->', 1, 'keyword.operator.arrow'],
    ['examples/histogram.pipe', 4, 'state', 1, 'keyword.declaration'],
    ['examples/histogram.pipe', 4, '{', 1, 'punctuation'],
    ['examples/histogram.pipe', 5, 'on', 1, 'keyword.control'],
    ['examples/histogram.pipe', 6, '+=', 1, 'keyword.operator.assignment'],
    ['examples/histogram.pipe', 6, '/', 1, 'keyword.operator.arithmetic'],
    ['examples/histogram.pipe', 8, 'end', 1, 'keyword.control'],
    ['examples/histogram.pipe', 9, 'for', 1, 'keyword.control'],
    ['examples/histogram.pipe', 9, 'in', 1, 'keyword.control'],
    ['examples/histogram.pipe', 10, 'emit', 1, 'keyword.control'],
    ['examples/dedupe.pipe', 6, 'let', 1, 'keyword.declaration'],
    ['examples/dedupe.pipe', 7, 'not', 1, 'keyword.operator.logical'],
    ['examples/dedupe.pipe', 7, 'in', 1, 'keyword.control'],
    ['examples/dedupe.pipe', 3, 'field', 1, 'variable.parameter'],
    ['examples/extern_rot13.pipe', 2, 'extern', 1, 'keyword'],
    ['examples/extern_rot13.pipe', 2, 'from', 1, 'keyword'],
    ['examples/extern_rot13.pipe', 2, '"rot13.c"', 1, 'string.quoted.double'],
    ['examples/import.pipe', 2, 'import', 1, 'keyword'],
    ['examples/import.pipe', 8, '"\\\\[[a-z]+\\\\] *"', 1, 'string.quoted.double'],
    ['examples/import.pipe', 8, '\\\\', 1, 'constant.character.escape'],
    ['examples/triage.pipe', 4, 'lines', 1, 'variable.other'],
    ['examples/triage.pipe', 4, 'file', 1, 'support.function.builtin'],
    ['examples/triage.pipe', 7, 'merge', 1, 'support.function.builtin'],
    ['examples/word_freq.pipe', 8, 'desc', 1, 'variable.parameter'],
    ['examples/word_freq.pipe', 8, 'true', 1, 'constant.language.boolean'],
    ['examples/word_freq.pipe', 9, '"{1}\\t{0}"', 1, 'string.quoted.double'],
    ['examples/running_total.pipe', 11, '!=', 1, 'keyword.operator.comparison'],
    ['examples/running_total.pipe', 11, 'to_int', 1, 'support.function.builtin'],
    ['tests/golden/only_pipeline.pipe', 3, '"x\\ny\\n"', 1, 'string.quoted.double'],
    ['tests/golden/only_pipeline.pipe', 3, '\\n', 2, 'constant.character.escape'],
    ['editors/tests/sample.pipe', 10, '0x1F', 1, 'constant.numeric.integer.hexadecimal'],
    ['editors/tests/sample.pipe', 10, '7', 1, 'constant.numeric.integer.decimal'],
    ['editors/tests/sample.pipe', 11, '3.5', 1, 'constant.numeric.float'],
    ['editors/tests/sample.pipe', 11, '1e-3', 1, 'constant.numeric.float'],
    ['editors/tests/sample.pipe', 12, 'and', 1, 'keyword.operator.logical'],
    ['editors/tests/sample.pipe', 12, 'or', 1, 'keyword.operator.logical'],
    ['editors/tests/sample.pipe', 12, '>=', 1, 'keyword.operator.comparison'],
    ['editors/tests/sample.pipe', 15, '-=', 1, 'keyword.operator.assignment'],
    ['editors/tests/sample.pipe', 17, 'while', 1, 'keyword.control'],
    ['editors/tests/sample.pipe', 21, '\\"', 1, 'constant.character.escape'],
    ['editors/tests/sample.pipe', 21, '\\x41', 1, 'constant.character.escape'],
    ['editors/tests/sample.pipe', 21, '\\\\', 1, 'constant.character.escape'],
    ['editors/tests/sample.pipe', 27, 'float', 1, 'support.type.primitive'],
    ['editors/tests/sample.pipe', 27, '1.5', 1, 'constant.numeric.float'],
    ['editors/tests/sample.pipe', 37, 'fn', 1, 'keyword.declaration.fn'],
    ['editors/tests/sample.pipe', 37, 'clip', 1, 'entity.name.function'],
    ['editors/tests/sample.pipe', 37, ':', 1, 'punctuation'],
    ['editors/tests/sample.pipe', 40, '{', 1, 'punctuation'],
    ['editors/tests/sample.pipe', 40, '"a"', 1, 'string.quoted.double'],
    ['editors/tests/sample.pipe', 44, 'return', 1, 'keyword.control.return'],
    ['editors/tests/sample.pipe', 44, '??', 1, 'keyword.operator.coalesce'],
    ['editors/tests/sample.pipe', 53, 'join', 1, 'support.function.builtin'],
];

// snippets that are not Pipe files: scopes of single lines
const SNIPPETS = [
    ['s = "bad \\q escape"', '\\q', 'invalid.illegal'],
    ['s = "unterminated', 'unterminated', 'string.quoted.double'],
    ["s = 'single'", "'single'", 'invalid.illegal'],
    ['x && y', '&&', 'invalid.illegal'],
    ['t.0.1', '1', 'constant.numeric.integer.field'],
    ['x = 12abc', '12abc', 'invalid.illegal'],
    ['pipeline p { stdin | stdout }  # trailing', '# trailing', 'comment.line'],
];

function scopeAt(per, col) {
    return per[col] || [];
}

async function main() {
    const grammar = await loadGrammar();
    const files = listPipeFiles();
    check(files.length >= 10, `expected at least 10 .pipe files, found ${files.length}`);
    const byRel = {};
    let tokens = 0;
    for (const file of files) {
        const rel = path.relative(ROOT, file);
        const text = fs.readFileSync(file, 'utf8');
        const scopes = tokenize(grammar, text);
        byRel[rel] = { lines: text.split('\n'), scopes };
        const problems = [];
        const expect = (ok, what) => { if (!ok) problems.push(what); };
        text.split('\n').forEach((line, li) => {
            const per = scopes[li];
            // no character left with only the root scope
            for (let c = 0; c < line.length; c++) {
                if (/\s/.test(line[c])) continue;
                const sc = scopeAt(per, c);
                expect(sc.length > 1, `${rel}:${li + 1}:${c + 1}: '${line[c]}' has no scope beyond ${sc.join(' ')}`);
            }
            const toks = lex(line);
            toks.forEach((tok, k) => {
                tokens++;
                const want = expectedPrefixes(tok, toks, k, line);
                for (let c = tok.start; c < tok.end; c++) {
                    const sc = scopeAt(per, c);
                    if (want) {
                        const ok = want.some(w => has(sc, w));
                        expect(ok, `${rel}:${li + 1}:${c + 1}: ${tok.kind} '${tok.text}' should be ${want.join('|')}, has ${sc.join(' ')}`);
                        if (!ok) break;
                    }
                    if (tok.kind === 'ident') {
                        const bad = NOT_FOR_IDENT.filter(w => has(sc, w));
                        expect(bad.length === 0, `${rel}:${li + 1}:${c + 1}: identifier '${tok.text}' wrongly scoped ${sc.join(' ')}`);
                        if (bad.length) break;
                    }
                    if (tok.kind === 'other')
                        expect(false, `${rel}:${li + 1}:${c + 1}: unexpected character '${tok.text}' in an example`);
                }
            });
        });
        // one check per file: every token of it has the scope of its kind
        if (problems.length) {
            failed++;
            failures.push(...problems);
        } else passed++;
    }
    for (const [rel, ln, text, occ, want] of TABLE) {
        const f = byRel[rel];
        if (!f) { check(false, `table: no file ${rel}`); continue; }
        const line = f.lines[ln - 1] || '';
        // the occ-th occurrence; a word only where it is a whole word
        const word = /^\w+$/.test(text);
        let col = -1;
        for (let n = 0; n < occ; n++) {
            do col = line.indexOf(text, col + 1);
            while (col >= 0 && word && (/\w/.test(line[col - 1] || '') || /\w/.test(line[col + text.length] || '')));
            if (col < 0) break;
        }
        if (col < 0) { check(false, `table: '${text}' not found on ${rel}:${ln}`); continue; }
        for (let c = col; c < col + text.length; c++) {
            const sc = scopeAt(f.scopes[ln - 1], c);
            if (!has(sc, want)) {
                check(false, `table: ${rel}:${ln}:${c + 1} '${text}' should be ${want}, has ${sc.join(' ')}`);
                col = -2;
                break;
            }
        }
        if (col !== -2) check(true);
    }
    for (const [line, text, want] of SNIPPETS) {
        const per = tokenize(grammar, line)[0];
        const col = line.lastIndexOf(text);
        const sc = scopeAt(per, col);
        check(has(sc, want), `snippet '${line}': '${text}' should be ${want}, has ${sc.join(' ')}`);
    }
    // a string that is not closed ends at the end of its line
    const two = tokenize(grammar, 's = "open\npipeline');
    check(has(scopeAt(two[1], 0), 'keyword'), 'an unterminated string must not run into the next line');

    // the problem matcher of package.json on pipec's diagnostics (tests/errors/*.err)
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'editors/vscode/package.json'), 'utf8'));
    const pm = (pkg.contributes.problemMatchers || []).find(m => m.name === 'pipec');
    check(!!pm, 'package.json contributes no problemMatcher "pipec"');
    if (pm) {
        const re = new RegExp(pm.pattern.regexp);
        const errDir = path.join(ROOT, 'tests/errors');
        let diagnostics = 0;
        const inputs = fs.readdirSync(errDir).filter(f => f.endsWith('.err')).sort()
            .map(f => [f, fs.readFileSync(path.join(errDir, f), 'utf8').split('\n')]);
        inputs.push(['a warning', ["x.pipe:8:5: warning: stream 'unused' is bound but never used"]]);
        for (const [name, lines] of inputs) {
            const problems = [];
            for (const line of lines) {
                const diag = /^[^ :][^:]*\.pipe:\d+:\d+: (error|warning): /.exec(line);
                const m = re.exec(line);
                if (diag) {
                    diagnostics++;
                    const ok = m && m[pm.pattern.file].endsWith('.pipe') && /^\d+$/.test(m[pm.pattern.line]) &&
                        /^\d+$/.test(m[pm.pattern.column]) && m[pm.pattern.severity] === diag[1] &&
                        line.endsWith(m[pm.pattern.message]);
                    if (!ok) problems.push(`${name}: problem matcher on '${line}': ${JSON.stringify(m)}`);
                } else if (m) {
                    problems.push(`${name}: problem matcher matches a line that is no diagnostic: '${line}'`);
                }
            }
            check(problems.length === 0, problems.join('\n     '));
        }
        check(diagnostics >= 10, `only ${diagnostics} diagnostics in tests/errors/*.err`);
    }

    for (const f of failures.slice(0, 50)) console.log('FAIL ' + f);
    if (failures.length > 50) console.log(`... and ${failures.length - 50} more failures`);
    console.log(`textmate: ${files.length} files, ${tokens} tokens`);
    console.log(`textmate: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

main().catch(e => {
    console.log('FAIL textmate: ' + (e && e.stack ? e.stack : e));
    console.log(`textmate: ${passed} passed, ${failed + 1} failed`);
    process.exit(1);
});
