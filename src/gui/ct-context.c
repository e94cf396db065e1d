/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-context.c: the services a window's views share (database, settings) */
#include "config.h"

#include "ct-context.h"

struct _CtContext
{
  GObject    parent_instance;

  CtDb      *db;
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (CtContext, ct_context, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DB,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ct_context_dispose (GObject *object)
{
  CtContext *self = CT_CONTEXT (object);

  g_clear_object (&self->db);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ct_context_parent_class)->dispose (object);
}

static void
ct_context_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CtContext *self = CT_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_DB:
      g_value_set_object (value, self->db);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_context_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CtContext *self = CT_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_DB:
      self->db = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_context_class_init (CtContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_context_dispose;
  object_class->get_property = ct_context_get_property;
  object_class->set_property = ct_context_set_property;

  properties[PROP_DB] =
    g_param_spec_object ("db", NULL, NULL, CT_TYPE_DB,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_context_init (CtContext *self)
{
}

CtContext *
ct_context_new (CtDb      *db,
                GSettings *settings)
{
  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (CT_TYPE_CONTEXT, "db", db, "settings", settings, NULL);
}

CtDb *
ct_context_get_db (CtContext *self)
{
  g_return_val_if_fail (CT_IS_CONTEXT (self), NULL);
  return self->db;
}

GSettings *
ct_context_get_settings (CtContext *self)
{
  g_return_val_if_fail (CT_IS_CONTEXT (self), NULL);
  return self->settings;
}
