# status=S ip=I bytes=B of each line
# input: access
awk '{ print "status=" $9 " ip=" $1 " bytes=" $10 }'
