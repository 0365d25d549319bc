{{/* The chart name, overridable. */}}
{{- define "k8s-tasks.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name prefix of every object: "<release>-k8s-tasks" unless the release already says it. */}}
{{- define "k8s-tasks.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Standard labels of every object. */}}
{{- define "k8s-tasks.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "k8s-tasks.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: k8s-tasks
{{- end }}

{{/* Labels that select the operator's pods (never change them: Deployment selectors are immutable). */}}
{{- define "k8s-tasks.selectorLabels" -}}
app.kubernetes.io/name: {{ include "k8s-tasks.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The operator's ServiceAccount name. */}}
{{- define "k8s-tasks.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "k8s-tasks.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The app image reference: repository@digest, else repository:tag (tag defaults to appVersion). */}}
{{- define "k8s-tasks.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Environment shared by the operator and the migration Job: settings and Python defaults. */}}
{{- define "k8s-tasks.djangoEnv" -}}
{{- if .Values.django.settingsModule }}
- name: DJANGO_SETTINGS_MODULE
  value: {{ .Values.django.settingsModule | quote }}
{{- end }}
- name: PYTHONUNBUFFERED
  value: "1"
- name: PYTHONDONTWRITEBYTECODE
  value: "1"
- name: HOME
  value: /tmp
{{- end }}

{{/* envFrom with the database Secret, if any. */}}
{{- define "k8s-tasks.databaseEnvFrom" -}}
{{- if .Values.database.existingSecret }}
- secretRef:
    name: {{ .Values.database.existingSecret | quote }}
{{- end }}
{{- end }}

{{/*
The TaskQueue spec for one queue: queueDefaults merged under the queue's own values, queueName set to the
key unless given, and the database Secret appended to envFrom (once) when database.injectIntoQueues, except
for an isolated queue: its pods run sealed, with no database, and its profile may reference no Secret.
Called with (dict "root" $ "name" $name "spec" $spec); returns YAML.
*/}}
{{- define "k8s-tasks.queueSpec" -}}
{{- $root := .root }}
{{- $spec := mergeOverwrite (deepCopy ($root.Values.queueDefaults | default dict)) (deepCopy (.spec | default dict)) }}
{{- if not $spec.queueName }}
{{- $_ := set $spec "queueName" .name }}
{{- end }}
{{- $secret := $root.Values.database.existingSecret }}
{{- if and $secret $root.Values.database.injectIntoQueues (ne ($spec.network | default "default") "isolated") }}
{{- $envFrom := $spec.envFrom | default list }}
{{- $ref := dict "secretRef" (dict "name" $secret) }}
{{- $present := false }}
{{- range $envFrom }}
{{- if and .secretRef (eq (.secretRef.name | default "") $secret) }}
{{- $present = true }}
{{- end }}
{{- end }}
{{- if not $present }}
{{- $_ := set $spec "envFrom" (append $envFrom $ref) }}
{{- end }}
{{- end }}
{{- toYaml $spec }}
{{- end }}
