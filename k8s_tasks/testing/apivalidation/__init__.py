"""kube-apiserver's validation of the built-in kinds, ported: field errors and their wording, the string
formats, Quantity, object meta, pods and their templates, Jobs, ConfigMaps and Secrets."""
