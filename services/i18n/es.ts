/**
 * Spanish: the reference catalog. Every key here must exist in en.ts with the same placeholders.
 * `{name}` is replaced by a parameter; `{name:uno|varios}` picks the singular or plural form for
 * the number `name`. Values go into Slack mrkdwn, so no `&`, `<` or `>` in the templates.
 */
export const es = {
  "format.date": "d 'de' MMMM 'de' yyyy",
  "format.dateTime": "d 'de' MMMM 'de' yyyy, HH:mm",
  "format.shortDate": "d MMM",

  "severity.high": "Alta",
  "severity.medium": "Media",
  "severity.low": "Baja",
  "severityHeading.high": "Severidad alta",
  "severityHeading.medium": "Severidad media",
  "severityHeading.low": "Severidad baja",

  "button.acknowledge": "Reconocer",
  "button.resolve": "Resolver",
  "button.snooze": "Posponer",

  "rule.no_status_update": "Sin actualización de estado hace {days} {days:día|días}",
  "rule.no_status_update.never": "Sin actualizaciones de estado registradas",
  "rule.no_activity": "Sin actividad en las tareas hace {days} {days:día|días}",
  "rule.no_activity.never": "Sin actividad registrada en las tareas",
  "rule.schedule_risk": "Vence en {days} {days:día|días} con {progress} % de avance",
  "rule.schedule_risk.today": "Vence hoy con {progress} % de avance",
  "rule.schedule_risk.noNumbers": "Riesgo de no cumplir la fecha de entrega",
  "rule.overdue": "Vencido hace {days} {days:día|días} con {progress} % de avance",
  "rule.overdue.noProgress": "Vencido hace {days} {days:día|días}",
  "rule.overdue.noNumbers": "La fecha de entrega ya pasó",
  "rule.amount_of_tasks": "Solo {count} {count:tarea|tareas} en el proyecto",
  "rule.amount_of_tasks.noNumbers": "Muy pocas tareas en el proyecto",
  "rule.progress_mismatch":
    "Avance reportado {reported} % frente a {progress} % en Asana ({difference} {difference:punto|puntos} de diferencia)",
  "rule.progress_mismatch.noNumbers": "El avance reportado no coincide con el de Asana",
  "rule.missing_pmo_id": "Falta el PMO ID",
  "rule.missing_responsable": "Falta el responsable",
  "rule.missing_vertical": "Falta la vertical de negocio",
  "rule.missing_due_date": "Falta la fecha de entrega",
  "rule.unknown": "Regla {rule}",

  "field.status": "Estado",
  "field.responsable": "Responsable",
  "field.dueOn": "Fecha de entrega",
  "field.progressPercent": "Avance",
  "field.totalTasks": "Tareas totales",
  "field.pendingTasks": "Tareas pendientes",
  "field.pmoId": "PMO ID",
  "field.businessVertical": "Vertical de negocio",
  "field.name": "Nombre",

  "projectStatus.on_track": "En curso",
  "projectStatus.at_risk": "En riesgo",
  "projectStatus.off_track": "Con retraso",
  "projectStatus.on_hold": "En pausa",
  "projectStatus.complete": "Completado",
  "projectStatus.none": "Sin estado",

  "value.empty": "(vacío)",
  "value.percent": "{value} %",

  "finding.title": "{emoji} *{severity}* · {project}",
  "finding.pmoId": "*PMO ID*\n{pmoId}",
  "finding.responsable": "*Responsable*\n{responsable}",
  "finding.noPmoId": "sin PMO ID",
  "finding.noResponsable": "sin responsable",
  "finding.unknownProject": "Proyecto {gid}",
  "finding.changes": "*Cambios que llevaron a esto*",
  "finding.change": "• {field}: {before} → {after} ({date})",
  "finding.detected": "Detectado el {date}",
  "finding.detectedAgain": "Detectado el {date} · ocurrencia {count}",
  "finding.resolvedAuto": "✅ Resuelto automáticamente el {date}",
  "finding.resolvedBy": "✅ Resuelto por {user} el {date}",
  "finding.acknowledgedBy": "👀 Reconocido por {user}",
  "finding.acknowledgedWithComment": "👀 Reconocido por {user}: {comment}",
  "finding.snoozedUntil": "💤 Pospuesto hasta {date}",
  "finding.snoozedByUntil": "💤 Pospuesto por {user} hasta {date}",
  "finding.someone": "alguien",
  "finding.fallback": "{severity}: {project} · {explanation}",

  "digest.title": "Hallazgos para revisar · {date}",
  "digest.titlePart": "Hallazgos para revisar · {date} ({part} de {parts})",
  "digest.intro": "{count} {count:hallazgo nuevo o que subió|hallazgos nuevos o que subieron} de severidad.",
  "digest.heading": "{emoji} {severity} · {count} {count:hallazgo|hallazgos}",
  "digest.entry": "{emoji} {project} · {pmoId} · {responsable}\n{explanation}",
  "digest.fallback":
    "Hallazgos para revisar: {count} ({high} {high:alto|altos}, {medium} {medium:medio|medios}, {low} {low:bajo|bajos})",

  "summary.title": "PMO Pulse · Primer análisis del portafolio",
  "summary.intro":
    "Se revisaron los proyectos activos y hay {count} {count:hallazgo|hallazgos}. Para no llenar el canal van agrupados en los mensajes que siguen, cada uno con sus botones.",
  "summary.count": "*{emoji} {severity}*\n{count}",
  "summary.worstHeading": "*Proyectos con más hallazgos altos*",
  "summary.worstLine": "{rank}. {project} · {pmoId} · {count} {count:hallazgo alto|hallazgos altos}",
  "summary.noHigh": "Ningún proyecto tiene hallazgos altos.",
  "summary.fallback":
    "Primer análisis: {count} {count:hallazgo|hallazgos} ({high} {high:alto|altos}, {medium} {medium:medio|medios}, {low} {low:bajo|bajos})",
} as const satisfies Record<string, string>;
