/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-core.h: everything in libclientele-core */
#pragma once

#include "ct-channel.h"
#include "ct-cli.h"
#include "ct-contact.h"
#include "ct-contact-list.h"
#include "ct-db.h"
#include "ct-demo.h"
#include "ct-money.h"
#include "ct-paged-list.h"
#include "ct-product.h"
#include "ct-purchase.h"
#include "ct-purchase-list.h"
#include "ct-stats.h"
#include "ct-tag.h"
