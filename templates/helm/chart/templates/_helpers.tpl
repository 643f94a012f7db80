{{/* Labels of one service's objects; `.name` is a values key, printed, never evaluated. */}}
{{- define "archgen.selector" -}}
app.kubernetes.io/name: {{ .name | quote }}
app.kubernetes.io/part-of: {{ .root.Chart.Name | quote }}
{{- end -}}

{{- define "archgen.labels" -}}
{{ include "archgen.selector" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | quote }}
{{- end -}}

{{/* checkov skips, each with its reason, from values (checkovSkips). */}}
{{- define "archgen.checkovSkips" -}}
{{- range $i, $skip := .root.Values.checkovSkips }}
checkov.io/skip{{ add1 $i }}: {{ printf "%s=%s" $skip.id $skip.reason | quote }}
{{- end }}
{{- end -}}
