{{- /* Object names: <release>-webhook, <release>-policy, <release>-validate ... With the release name kuscia-iac these are the names of deploy/. */ -}}
{{- define "kuscia-iac.fullname" -}}
{{- printf "%s-webhook" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "kuscia-iac.tlsSecretName" -}}
{{- /* tls.mode=secret: the user's Secret, which has no default name, so it never is the chart's own <release>-webhook-tls (a mode switch would otherwise delete or collide with it). */ -}}
{{- if eq .Values.tls.mode "secret" -}}
{{- required "tls.secret.name: give the name of your kubernetes.io/tls Secret (tls.mode=secret); it must not be the chart's own <release>-webhook-tls" .Values.tls.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "kuscia-iac.fullname" .) -}}
{{- end -}}
{{- end }}

{{- define "kuscia-iac.policyConfigMapName" -}}
{{- .Values.policy.existingConfigMap | default (printf "%s-policy" .Release.Name) -}}
{{- end }}

{{- define "kuscia-iac.selectorLabels" -}}
app.kubernetes.io/name: kuscia-iac-webhook
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- /* The standard labels (https://helm.sh/docs/chart_best_practices/labels/). */ -}}
{{- /* The chart's labels win over commonLabels (and, with "kuscia-iac.podLabels", over podLabels): one map, so no key is written twice. */ -}}
{{- define "kuscia-iac.labelMap" -}}
{{- $own := dict "helm.sh/chart" (printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-") "app.kubernetes.io/name" "kuscia-iac-webhook" "app.kubernetes.io/instance" .Release.Name "app.kubernetes.io/version" (.Chart.AppVersion | toString) "app.kubernetes.io/managed-by" .Release.Service "app.kubernetes.io/part-of" "kuscia-iac" -}}
{{- toJson (merge $own (.Values.commonLabels | default dict)) -}}
{{- end }}
{{- define "kuscia-iac.labels" -}}
{{- include "kuscia-iac.labelMap" . | fromJson | toYaml -}}
{{- end }}
{{- define "kuscia-iac.podLabels" -}}
{{- merge (include "kuscia-iac.labelMap" . | fromJson) (.Values.deployment.podLabels | default dict) | toYaml -}}
{{- end }}

{{- define "kuscia-iac.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end }}

{{- /* A CEL string literal, as webhook/configurations.ts writes one. */ -}}
{{- define "kuscia-iac.celString" -}}
{{- printf "'%s'" (. | replace "\\" "\\\\" | replace "'" "\\'") -}}
{{- end }}

{{- /* "true" when the API server evaluates webhook matchConditions (webhook.kubeVersion, else the cluster's version). */ -}}
{{- define "kuscia-iac.matchConditionsSupported" -}}
{{- $v := .Values.webhook.kubeVersion | default .Capabilities.KubeVersion.Version -}}
{{- if semverCompare (printf ">=%s-0" (include "kuscia-iac.gen.matchConditionsSince" .)) $v -}}true{{- end -}}
{{- end }}

{{- /* matchConditions as JSON: policy.configuration.exemptRequesters (as exemptionMatchConditions in webhook/configurations.ts), then webhook.matchConditions. */ -}}
{{- define "kuscia-iac.matchConditions" -}}
{{- $e := (.Values.policy.configuration.exemptRequesters | default dict) -}}
{{- $users := list -}}
{{- range ($e.usernames | default list) }}{{ $users = append $users (include "kuscia-iac.celString" .) }}{{ end -}}
{{- range ($e.serviceAccounts | default list) }}{{ $users = append $users (include "kuscia-iac.celString" (printf "system:serviceaccount:%s" .)) }}{{ end -}}
{{- $out := list -}}
{{- if $users -}}
{{- $out = append $out (dict "name" "not-exempt-user" "expression" (printf "!(request.userInfo.username in [%s])" (join ", " $users))) -}}
{{- end -}}
{{- $groups := list -}}
{{- range ($e.groups | default list) }}{{ $groups = append $groups (include "kuscia-iac.celString" .) }}{{ end -}}
{{- if $groups -}}
{{- $out = append $out (dict "name" "not-exempt-group" "expression" (printf "!has(request.userInfo.groups) || !request.userInfo.groups.exists(g, g in [%s])" (join ", " $groups))) -}}
{{- end -}}
{{- range .Values.webhook.matchConditions -}}
{{- if has .name (list "not-exempt-user" "not-exempt-group") -}}
{{- fail (printf "webhook.matchConditions: the name %q is reserved for the chart's condition from policy.configuration.exemptRequesters (not-exempt-user, not-exempt-group); rename yours" .name) -}}
{{- end -}}
{{- end -}}
{{- $out = concat $out .Values.webhook.matchConditions -}}
{{- if and $out (not (include "kuscia-iac.matchConditionsSupported" .)) -}}
{{- if .Values.webhook.matchConditions -}}
{{- fail (printf "webhook.matchConditions: the API server (Kubernetes %s) does not evaluate matchConditions before %s; remove them or set webhook.kubeVersion" (.Values.webhook.kubeVersion | default .Capabilities.KubeVersion.Version) (include "kuscia-iac.gen.matchConditionsSince" .)) -}}
{{- end -}}
{{- /* Exempt requesters are still exempted by the webhook itself. */ -}}
{{- $out = list -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{- /*
The generated CA and serving certificate (tls.mode=generate), computed once per render and
shared by the Secrets and the webhook configurations. Kept across upgrades (lookup): a new
serving certificate is issued when the old one ends within renewBeforeDays or its names
changed; a new CA when the CA ends within renewBeforeDays, and the previous CA then stays in
the caBundle so the pods' current certificate is trusted until the kubelet swaps the files.
*/ -}}
{{- define "kuscia-iac.generatedTLS" -}}
{{- if not (hasKey .Values "__kusciaIacTLS") -}}
{{- $svc := include "kuscia-iac.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $g := .Values.tls.generate -}}
{{- $dns := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.clusterDomain) -}}
{{- $ips := list -}}
{{- $sans := $g.extraSANs -}}
{{- if .Values.webhook.url -}}
{{- /* The host the API server calls must be in the certificate. */ -}}
{{- $host := (urlParse .Values.webhook.url).hostname -}}
{{- if not (has $host $sans) }}{{ $sans = append $sans $host }}{{ end -}}
{{- end -}}
{{- range $sans -}}
{{- if regexMatch "^[0-9.]+$|:" . }}{{ $ips = append $ips . }}{{ else }}{{ $dns = append $dns . }}{{ end -}}
{{- end -}}
{{- $names := sha256sum (toJson (list $dns $ips)) | trunc 16 -}}
{{- $now := now | unixEpoch | atoi -}}
{{- $renew := mul (int $g.renewBeforeDays) 86400 -}}
{{- $oldCA := lookup "v1" "Secret" $ns (printf "%s-ca" $svc) -}}
{{- $oldTLS := lookup "v1" "Secret" $ns (printf "%s-tls" $svc) -}}
{{- $ca := dict -}}
{{- $caNotAfter := 0 -}}
{{- $bundle := "" -}}
{{- $caKept := false -}}
{{- if and $oldCA $oldCA.data $oldTLS $oldTLS.data -}}
{{- $caNotAfter = (index ($oldCA.metadata.annotations | default dict) "kuscia-iac.secretflow/not-after-unix") | default "0" | atoi -}}
{{- if gt $caNotAfter (add $now $renew) -}}
{{- $ca = buildCustomCert (index $oldCA.data "tls.crt") (index $oldCA.data "tls.key") -}}
{{- $bundle = index $oldTLS.data "ca.crt" | b64dec -}}
{{- $caKept = true -}}
{{- end -}}
{{- end -}}
{{- if not $caKept -}}
{{- $ca = genCA (printf "%s-ca" $svc) (int $g.caDays) -}}
{{- $caNotAfter = add $now (mul (int $g.caDays) 86400) -}}
{{- $bundle = $ca.Cert -}}
{{- if and $oldTLS $oldTLS.data -}}
{{- /* The CA rotates: keep trusting the one that signed the certificate the pods still serve. */ -}}
{{- $prev := regexFind "(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----" (index $oldTLS.data "ca.crt" | default "" | b64dec) -}}
{{- if $prev }}{{ $bundle = printf "%s\n%s\n" (trimSuffix "\n" $ca.Cert) $prev }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $cert := "" -}}
{{- $key := "" -}}
{{- $notAfter := 0 -}}
{{- if $caKept -}}
{{- $ann := $oldTLS.metadata.annotations | default dict -}}
{{- $notAfter = (index $ann "kuscia-iac.secretflow/not-after-unix") | default "0" | atoi -}}
{{- if and (gt $notAfter (add $now $renew)) (eq (index $ann "kuscia-iac.secretflow/names") $names) -}}
{{- $cert = index $oldTLS.data "tls.crt" | b64dec -}}
{{- $key = index $oldTLS.data "tls.key" | b64dec -}}
{{- end -}}
{{- end -}}
{{- if not $cert -}}
{{- $c := genSignedCert $svc $ips $dns (int $g.days) $ca -}}
{{- $cert = $c.Cert -}}
{{- $key = $c.Key -}}
{{- $notAfter = add $now (mul (int $g.days) 86400) -}}
{{- end -}}
{{- $_ := set .Values "__kusciaIacTLS" (dict "caCert" $ca.Cert "caKey" $ca.Key "caNotAfter" (toString $caNotAfter) "bundle" $bundle "cert" $cert "key" $key "notAfter" (toString $notAfter) "names" $names) -}}
{{- end -}}
{{- toJson (get .Values "__kusciaIacTLS") -}}
{{- end }}

{{- /* base64 caBundle of the webhook configurations; empty with cert-manager (its cainjector fills it). */ -}}
{{- define "kuscia-iac.caBundle" -}}
{{- if eq .Values.tls.mode "generate" -}}
{{- (include "kuscia-iac.generatedTLS" . | fromJson).bundle | b64enc -}}
{{- else if eq .Values.tls.mode "secret" -}}
{{- $b := required "tls.caBundle: give the PEM (or its base64) of the CA that signed the certificate in the Secret (tls.mode=secret)" .Values.tls.caBundle -}}
{{- if hasPrefix "-----BEGIN" $b }}{{ $b | b64enc }}{{ else }}{{ $b }}{{ end -}}
{{- end -}}
{{- end }}
