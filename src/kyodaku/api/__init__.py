"""FastAPI service: screening for operators, the registry for rightsholders, keys for admins."""
