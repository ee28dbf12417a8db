# the text in upper case (ASCII)
# input: text
tr a-z A-Z
