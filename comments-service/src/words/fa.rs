//! Persian words of the service's pages.

use super::Reader;

pub const READER: Reader = Reader {
    your_comment: "دیدگاه شما",
    published: "سپاس، دیدگاه شما منتشر شد. تا لحظاتی دیگر در صفحه نمایش داده می‌شود.",
    held: "سپاس، دیدگاه شما در انتظار بررسی است. تا پیش از تأیید، فقط شما آن را اینجا می‌بینید.",
    pending: "در انتظار بررسی",
    back: "بازگشت به صفحه",
    nothing: "دیدگاهی از شما برای نمایش در اینجا نیست.",
    owner: "نویسنده",
};
