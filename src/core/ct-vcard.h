/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-vcard.h: reading and writing contacts as vCard 2.1, 3.0 and 4.0 */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

#define CT_VCARD_ERROR (ct_vcard_error_quark ())

typedef enum
{
  CT_VCARD_ERROR_NO_CARD,   /* the text holds no BEGIN:VCARD ... END:VCARD */
  CT_VCARD_ERROR_ENCODING,  /* the text is not UTF-8 */
} CtVcardError;

GQuark        ct_vcard_error_quark      (void);

/* One card as read from a file. Every string is UTF-8, trimmed, NULL when
 * the card has no such property. @line is the 1-based line of the card's
 * BEGIN:VCARD, for messages. When a card has several EMAIL or TEL, the
 * one marked PREF (TYPE=pref or PREF=1) wins, else the first. */
typedef struct
{
  guint  line;
  char  *email;
  char  *first_name;
  char  *last_name;
  char  *phone;
  char  *company;
  char  *notes;
  GStrv  tags;        /* from CATEGORIES; NULL when there are none */
} CtVcardCard;

void          ct_vcard_card_free        (CtVcardCard  *card);

/* Parses vCard 2.1, 3.0 and 4.0: folded lines, QUOTED-PRINTABLE (with
 * soft line breaks), CHARSET= (UTF-8, GB18030/GBK, others via iconv),
 * escapes \\ \, \; \n, and the properties N, FN, EMAIL, TEL, ORG, NOTE
 * and CATEGORIES. A card without N is named from FN. Unknown properties
 * are ignored. Fails with CT_VCARD_ERROR_NO_CARD when there is no card at
 * all.
 * Returns: (transfer full) (element-type CtVcardCard): the cards, with
 * ct_vcard_card_free() as the free function */
GPtrArray    *ct_vcard_parse            (const char   *text,
                                         gsize         len,
                                         GError      **error);

typedef enum
{
  CT_VCARD_3_0,
  CT_VCARD_4_0
} CtVcardVersion;

/* Writes one card per contact, in the contacts list's default order (by
 * name), or in the order of @ids (gint64 contact ids) when given. Lines
 * end with CRLF and are folded at 75 bytes without splitting a UTF-8
 * character, as both versions require. The file is replaced only when
 * everything was written. */
gboolean      ct_vcard_export_to_file   (CtDb           *db,
                                         GArray         *ids,
                                         CtVcardVersion  version,
                                         GFile          *file,
                                         guint          *n_out,
                                         GCancellable   *cancellable,
                                         GError        **error);

/* Appends one card to @out, the way ct_vcard_export_to_file() writes it.
 * Any string may be NULL or empty (left out); @tags may be NULL. */
void          ct_vcard_append_card      (GString            *out,
                                         CtVcardVersion      version,
                                         const char         *email,
                                         const char         *first_name,
                                         const char         *last_name,
                                         const char         *phone,
                                         const char         *company,
                                         const char         *notes,
                                         const char * const *tags);

G_END_DECLS
