"""Words people write in Turkish spreadsheets for our choice values ("iade" for refunded,
"mağaza" for store...), next to the values and the English and Turkish labels that
parsing.Choices accepts anyway. Keys are matched Turkish-folded, case-insensitively."""

from __future__ import annotations

from customers.models import (
    AcquisitionChannel,
    ContactChannel,
    CustomerKind,
    Language,
    LifecycleStage,
    SalesChannel,
    TransactionKind,
    TransactionStatus,
)

CUSTOMER_KIND_ALIASES = {
    "kişi": CustomerKind.PERSON,
    "şahıs": CustomerKind.PERSON,
    "bireysel": CustomerKind.PERSON,
    "gerçek kişi": CustomerKind.PERSON,
    "individual": CustomerKind.PERSON,
    "şirket": CustomerKind.COMPANY,
    "firma": CustomerKind.COMPANY,
    "kurumsal": CustomerKind.COMPANY,
    "tüzel kişi": CustomerKind.COMPANY,
    "business": CustomerKind.COMPANY,
}
STAGE_ALIASES = {
    "aday": LifecycleStage.PROSPECT,
    "potansiyel": LifecycleStage.PROSPECT,
    "yeni": LifecycleStage.NEW,
    "aktif": LifecycleStage.ACTIVE,
    "riskli": LifecycleStage.AT_RISK,
    "risk altında": LifecycleStage.AT_RISK,
    "kayıp": LifecycleStage.LAPSED,
    "pasif": LifecycleStage.LAPSED,
    "geri kazanıldı": LifecycleStage.WON_BACK,
    "sonlandırıldı": LifecycleStage.TERMINATED,
    "ayrıldı": LifecycleStage.TERMINATED,
}
STATUS_ALIASES = {
    "tamamlandı": TransactionStatus.COMPLETED,
    "tamam": TransactionStatus.COMPLETED,
    "satış": TransactionStatus.COMPLETED,
    "iade": TransactionStatus.REFUNDED,
    "iade edildi": TransactionStatus.REFUNDED,
}
TRANSACTION_KIND_ALIASES = {
    "satış": TransactionKind.PURCHASE,
    "alış": TransactionKind.PURCHASE,
    "satın alma": TransactionKind.PURCHASE,
    "maliyet paylaşımı": TransactionKind.COST_SHARE,
    "ortak yatırım": TransactionKind.COST_SHARE,
}
SALES_CHANNEL_ALIASES = {
    "mağaza": SalesChannel.STORE,
    "online": SalesChannel.WEB,
    "internet": SalesChannel.WEB,
    "telefon": SalesChannel.PHONE,
    "saha": SalesChannel.FIELD,
    "bayi": SalesChannel.PARTNER,
    "pazaryeri": SalesChannel.MARKETPLACE,
}
CONTACT_CHANNEL_ALIASES = {
    "telefon": ContactChannel.PHONE,
    "eposta": ContactChannel.EMAIL,
    "e-posta": ContactChannel.EMAIL,
    "ziyaret": ContactChannel.VISIT,
    "toplantı": ContactChannel.MEETING,
    "sosyal medya": ContactChannel.SOCIAL,
}
ACQUISITION_ALIASES = {
    "referans": AcquisitionChannel.REFERRAL,
    "tavsiye": AcquisitionChannel.REFERRAL,
    "internet": AcquisitionChannel.WEB,
    "web sitesi": AcquisitionChannel.WEB,
    "sosyal medya": AcquisitionChannel.SOCIAL,
    "reklam": AcquisitionChannel.ADVERTISING,
    "saha satış": AcquisitionChannel.FIELD_SALES,
    "mağaza": AcquisitionChannel.STORE,
    "fuar": AcquisitionChannel.EVENT,
    "bayi": AcquisitionChannel.PARTNER,
    "diğer": AcquisitionChannel.OTHER,
}
LANGUAGE_ALIASES = {"türkçe": Language.TURKISH, "ingilizce": Language.ENGLISH}
