" Vim syntax file
" Language:     Pipe (the text-stream pipeline language of pipec)
" Filenames:    *.pipe
" Maintainer:   the pipec project (editors/vim in its repository)

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" Keywords (LANGUAGE.md §2)
syn keyword pipeDeclaration   pipeline proc record fn nextgroup=pipeFuncName skipwhite
syn keyword pipeInclude       import extern from
syn keyword pipeStatement     state let emit return
syn keyword pipeHandler       on end
syn keyword pipeConditional   if then else
syn keyword pipeRepeat        for while in
syn keyword pipeLogical       and or not
syn keyword pipeBoolean       true false none
syn match   pipeFuncName      "\h\w*" contained display

" Types; str(x) is also the conversion function
syn match   pipeType          "\<\%(str\|int\|float\|bool\)\>"

" Standard sources, sinks, processors and functions (LANGUAGE.md §4, §6).
" Those used without arguments are builtins wherever they appear; those that
" take arguments only when called, since 'lines' or 'field' may be a user's name.
syn match   pipeBuiltin       "\<\%(stdin\|stdout\|stderr\|discard\|upper\|lower\|trim\|words\|uniq\|distinct\|sort\|count\|count_items\|sum\|min\|max\|avg\|enumerate\|to_int\|to_float\|to_csv\|to_tsv\|to_json\)\>"
syn match   pipeBuiltin       "\<\%(file\|files\|range\|lines\|append\|file_by\|append_by\|grep\|grep_v\|grep_f\|replace\|find_all\|split\|field\|head\|tail\|skip\|top\|map\|filter\|flat_map\|format\|tee\|exec\|merge\|concat\|zip\|left_join\|len\|contains\|starts_with\|ends_with\|find\|substr\|matches\|join\|abs\|add\|remove\|keys\|str\|csv\|tsv\|json\|captures\|replace_first\|split_re\|quote_re\|now\|parse_time\|format_time\|env\|fmt\|round\|floor\|ceil\|sqrt\|pow\|len_chars\|upper_utf8\|lower_utf8\|get\|reverse\)\ze\s*("

" Operators; '&&', '||' and '!' are errors in Pipe (it uses and, or, not)
syn match   pipeOperator      "[-+*/%<>=|]"
syn match   pipeOperator      "!="
syn match   pipeOpError       "&&\|||\|!=\@!"

" Numbers: 42, 0x1F, 3.5, 1e-3; t.0 is a tuple field
syn match   pipeNumberError   "\<\d\w*\>" display
syn match   pipeNumber        "\<\d\+\>" display
syn match   pipeNumber        "\<0[xX]\x\+\>" display
syn match   pipeFloat         "\<\d\+\.\d\+\%([eE][+-]\=\d\+\)\=\>" display
syn match   pipeFloat         "\<\d\+[eE][+-]\=\d\+\>" display
syn match   pipeField         "\.\@1<=\d\+" display

" Strings with escapes \n \t \r \0 \\ \" \xHH; a string ends at the end of its line
syn region  pipeString        start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=pipeBadEscape,pipeEscape,@Spell
syn match   pipeBadEscape     "\\." contained display
syn match   pipeEscape        "\\\%([nrt0\\"]\|x\x\x\)" contained display
syn match   pipeSingleQuoted  "'[^'\n]*'"

" Comments
syn keyword pipeTodo          TODO FIXME XXX NOTE contained
syn match   pipeComment       "#.*$" contains=pipeTodo,@Spell

hi def link pipeDeclaration   Keyword
hi def link pipeInclude       Include
hi def link pipeStatement     Statement
hi def link pipeHandler       Keyword
hi def link pipeConditional   Conditional
hi def link pipeRepeat        Repeat
hi def link pipeLogical       Operator
hi def link pipeBoolean       Boolean
hi def link pipeFuncName      Function
hi def link pipeType          Type
hi def link pipeBuiltin       Function
hi def link pipeOperator      Operator
hi def link pipeOpError       Error
hi def link pipeNumberError   Error
hi def link pipeNumber        Number
hi def link pipeFloat         Float
hi def link pipeField         Number
hi def link pipeString        String
hi def link pipeEscape        SpecialChar
hi def link pipeBadEscape     Error
hi def link pipeSingleQuoted  Error
hi def link pipeTodo          Todo
hi def link pipeComment       Comment

let b:current_syntax = 'pipe'

let &cpo = s:cpo_save
unlet s:cpo_save
