{{- /* Labels of the monitoring objects: the chart's, plus monitoring.labels (the chart's win on a shared key). */ -}}
{{- define "kuscia-iac.monitoringLabels" -}}
{{- merge (include "kuscia-iac.labelMap" . | fromJson) (.Values.monitoring.labels | default dict) | toYaml -}}
{{- end }}

{{- /* The PromQL label matchers that pick this release's series: monitoring.prometheusRule.selector, else the job and namespace the ServiceMonitor gives its targets. */ -}}
{{- define "kuscia-iac.metricSelector" -}}
{{- .Values.monitoring.prometheusRule.selector | default (printf "job=%q,namespace=%q" (include "kuscia-iac.fullname" .) .Release.Namespace) -}}
{{- end }}

{{- /* Seconds of a deployment.auditInterval value (the schema allows <n>s, <n>m, <n>h and <n>ms of at least 1000). */ -}}
{{- define "kuscia-iac.durationSeconds" -}}
{{- $n := regexFind "^[0-9]+" . | atoi -}}
{{- $u := regexFind "(ms|s|m|h)$" . -}}
{{- if eq $u "ms" }}{{ div $n 1000 }}{{ else if eq $u "s" }}{{ $n }}{{ else if eq $u "m" }}{{ mul $n 60 }}{{ else }}{{ mul $n 3600 }}{{ end -}}
{{- end }}
