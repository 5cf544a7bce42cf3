{{/*
What each role is: the ports it listens on beside admin, and the external
servers whose URL it reads from a Secret. Everything per role in the
templates is derived from this table.
*/}}
{{- define "workstream.roleTable" -}}
gateway: {ports: [http], secrets: []}
tasks: {ports: [grpc], secrets: [postgresUrl, rabbitmqUrl]}
notifications: {ports: [], secrets: [rabbitmqUrl, redisUrl, mongoUrl]}
mailer: {ports: [], secrets: [rabbitmqUrl, redisUrl, smtpUrl]}
{{- end -}}

{{- define "workstream.role" -}}
{{- get (include "workstream.roleTable" . | fromYaml) . | toYaml -}}
{{- end -}}

{{/* The variable and the mounted file of each secret-bearing setting. */}}
{{- define "workstream.secretTable" -}}
postgresUrl: {env: WORKSTREAM_POSTGRES_URL, file: postgres-url}
rabbitmqUrl: {env: WORKSTREAM_RABBITMQ_URL, file: rabbitmq-url}
redisUrl: {env: WORKSTREAM_REDIS_URL, file: redis-url}
mongoUrl: {env: WORKSTREAM_MONGO_URL, file: mongo-url}
smtpUrl: {env: WORKSTREAM_SMTP_URL, file: smtp-url}
{{- end -}}

{{- define "workstream.secretDir" -}}/run/secrets/workstream{{- end -}}

{{- define "workstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's name, with the chart's appended unless it holds it already. */}}
{{- define "workstream.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "workstream.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Objects of one role (or of a job) are named fullname-role. Argument: (list $ "role"). */}}
{{- define "workstream.componentName" -}}
{{- printf "%s-%s" (include "workstream.fullname" (index . 0)) (index . 1) -}}
{{- end -}}

{{- define "workstream.serviceAccountName" -}}
{{- default (include "workstream.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "workstream.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Selector labels of one component. Argument: (list $ "role"). */}}
{{- define "workstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "workstream.name" (index . 0) }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Labels of every object. Argument: (list $ "role"), or (list $ "") for release-wide objects. */}}
{{- define "workstream.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "workstream.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- with index . 1 }}
app.kubernetes.io/component: {{ . }}
{{- end }}
app.kubernetes.io/part-of: workstream
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
{{- end -}}

{{/* The WORKSTREAM_*_FILE variables for a list of secret names. Argument: the list. */}}
{{- define "workstream.secretFileSettings" -}}
{{- $table := include "workstream.secretTable" . | fromYaml -}}
{{- range . }}
{{ (get $table .).env }}_FILE: {{ printf "%s/%s" (include "workstream.secretDir" .) (get $table .).file }}
{{- end }}
{{- end -}}

{{/*
The volume that mounts exactly the Secret keys a pod needs, one file each,
readable by the pod's group only. Argument: (list $ secretNames).
*/}}
{{- define "workstream.secretVolume" -}}
{{- $root := index . 0 -}}
{{- $table := include "workstream.secretTable" . | fromYaml -}}
- name: secrets
  projected:
    defaultMode: 0440
    sources:
    {{- range index . 1 }}
    {{- $ref := get $root.Values.secrets . }}
      - secret:
          name: {{ required (printf "secrets.%s.name is required" .) $ref.name }}
          items:
            - key: {{ required (printf "secrets.%s.key is required" .) $ref.key }}
              path: {{ (get $table .).file }}
    {{- end }}
{{- end -}}

{{- define "workstream.secretMount" -}}
- name: secrets
  mountPath: {{ include "workstream.secretDir" . }}
  readOnly: true
{{- end -}}

{{/* Pod settings every workstream pod shares. */}}
{{- define "workstream.podCommon" -}}
serviceAccountName: {{ include "workstream.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "workstream.containerCommon" -}}
image: {{ include "workstream.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
{{- end -}}

{{/*
The settings of one role: exactly the ones it needs, none left to the
application's defaults, and its tuning settings. Argument: (list $ "role").
*/}}
{{- define "workstream.roleSettings" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $values := get $root.Values.roles $name -}}
{{- $role := include "workstream.role" $name | fromYaml -}}
WORKSTREAM_PROFILE: services
WORKSTREAM_ADMIN_ADDR: {{ printf "0.0.0.0:%v" $root.Values.ports.admin | quote }}
WORKSTREAM_LOG_LEVEL: {{ $root.Values.logLevel | quote }}
WORKSTREAM_SHUTDOWN_TIMEOUT: {{ printf "%vs" $root.Values.shutdownTimeoutSeconds | quote }}
{{- if eq $name "gateway" }}
WORKSTREAM_HTTP_ADDR: {{ printf "0.0.0.0:%v" $root.Values.ports.http | quote }}
{{- $tasks := printf "%s:%v" (include "workstream.componentName" (list $root "tasks")) $root.Values.ports.grpc }}
{{- if not $root.Values.roles.tasks.enabled }}
{{- $tasks = required "roles.gateway.tasksAddr is required when roles.tasks is off" $values.tasksAddr }}
{{- end }}
WORKSTREAM_TASKS_ADDR: {{ default $tasks $values.tasksAddr | quote }}
{{- end }}
{{- if eq $name "tasks" }}
WORKSTREAM_GRPC_ADDR: {{ printf "0.0.0.0:%v" $root.Values.ports.grpc | quote }}
WORKSTREAM_MIGRATE_ON_START: "false"
{{- end }}
{{- if eq $name "mailer" }}
WORKSTREAM_MAIL_FROM: {{ $root.Values.mail.from | quote }}
WORKSTREAM_SMTP_STARTTLS: {{ $root.Values.mail.smtpStartTls | quote }}
{{- end }}
{{- include "workstream.secretFileSettings" $role.secrets }}
{{- range $key, $value := $values.env }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* The probes of seed 002 on the admin port. */}}
{{- define "workstream.probes" -}}
{{- $p := .Values.probes -}}
startupProbe:
  httpGet: {path: /health, port: admin}
  periodSeconds: {{ $p.startup.periodSeconds }}
  failureThreshold: {{ $p.startup.failureThreshold }}
  timeoutSeconds: {{ $p.startup.timeoutSeconds }}
livenessProbe:
  httpGet: {path: /health, port: admin}
  periodSeconds: {{ $p.liveness.periodSeconds }}
  failureThreshold: {{ $p.liveness.failureThreshold }}
  timeoutSeconds: {{ $p.liveness.timeoutSeconds }}
readinessProbe:
  httpGet: {path: /ready, port: admin}
  periodSeconds: {{ $p.readiness.periodSeconds }}
  failureThreshold: {{ $p.readiness.failureThreshold }}
  timeoutSeconds: {{ $p.readiness.timeoutSeconds }}
{{- end -}}

{{/* Whether any enabled role uses RabbitMQ, which the topology Job serves. */}}
{{- define "workstream.usesRabbitmq" -}}
{{- range $name, $role := .Values.roles }}
{{- if and $role.enabled (has "rabbitmqUrl" (include "workstream.role" $name | fromYaml).secrets) }}yes{{ end }}
{{- end }}
{{- end -}}
