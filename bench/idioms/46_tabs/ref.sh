# each line with its spaces turned into tabs
# input: access
tr ' ' '\t'
