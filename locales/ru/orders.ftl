orders-need-login = Чтобы показать ваши заказы, нужно войти — это минута. После входа я сразу открою список заказов.
orders-none = В этом аккаунте пока нет заказов.
orders-list-title = Ваши заказы, сначала новые. Выберите заказ — или просто пришлите его номер.
orders-list-item = { $number } · { $date } · { $status }
orders-not-found = Не нашёл заказ { $number } в вашем аккаунте. Проверьте номер — он есть в приложении в разделе «Мои заказы», например <code>12345678-0001</code>.
orders-btn-newer = ← Новее
orders-btn-older = Старее →
orders-btn-back = ← К списку заказов
orders-btn-person = Написать специалисту
orders-btn-cancel-yes = Да, отменить заказ
orders-btn-cancel-no = Нет, оставить
orders-btn-items-done = Готово — отправить в поддержку

orders-status-short-created = создан
orders-status-short-paid = оплачен
orders-status-short-assembling = собирается
orders-status-short-in-transit = в пути
orders-status-short-ready-for-pickup = ждёт в пункте выдачи
orders-status-short-delivered = получен
orders-status-short-cancelled = отменён
orders-status-short-returned = возвращён

orders-card =
    <b>Заказ { $number }</b> — { $status }
    Оформлен { $created }, оплата: { $payment }
    { $items }
    <b>Итого: { $total }</b>
orders-item-label = { $title } × { $qty }
orders-card-item = • { $title } × { $qty } — { $price }
orders-card-more = • … и ещё { $count } { $count ->
        [one] товар
        [few] товара
       *[many] товаров
    }
orders-card-eta = Ожидаемая доставка: { $date }
orders-card-pickup = Пункт выдачи: { $point }
orders-card-choose = Что случилось с заказом?
orders-money = { $amount } ₽
orders-payment-card = картой
orders-payment-cash = при получении
orders-payment-other = { $method }

orders-problem-where = Где заказ / задерживается
orders-problem-damaged = Товар повреждён
orders-problem-wrong = Не тот товар или не всё пришло
orders-problem-return = Хочу вернуть
orders-problem-refund = Возврат денег
orders-problem-cancel = Отменить заказ
orders-problem-other = Другое
orders-problem-late = Заказ опаздывает
orders-problem-recovery = Восстановление доступа

orders-answer-preparing = Заказ ещё собирают. Ожидаемая дата доставки — { $eta }. Когда его передадут в доставку, статус в приложении сменится на «в пути».
orders-answer-on-its-way = Заказ в пути и приедет к { $eta }. Когда он будет в пункте выдачи, придёт уведомление — заберите его с паспортом или кодом из приложения.
orders-answer-at-pickup =
    Заказ приехал и ждёт вас в пункте выдачи: { $point }.
    { $hours }
    { $keeps }
    Возьмите с собой код получения из приложения. Если что-то не так — нажмите «Написать специалисту».
orders-answer-late = Простите, заказ опаздывает: его ждали { $eta }. Я передал это специалисту с пометкой «опаздывает» — обращение №{ $id }, ответим здесь.
orders-answer-delivered = По данным доставки заказ получен. Если он до вас не дошёл, напишите специалисту — разберёмся.
orders-answer-cancel-offer = Заказ ещё не отправлен, его можно отменить. Отменить заказ { $number }?
orders-answer-cancel-shipped = Заказ уже передан в доставку, отменить его нельзя. Можно отказаться от него в пункте выдачи или при курьере — деньги вернутся так же, как при отмене.
orders-answer-cancel-delivered = Заказ уже получен, отменить его нельзя — но его можно вернуть: выберите «Хочу вернуть».
orders-answer-already-closed = Этот заказ уже { $status }.
orders-answer-return-steps =
    Вернуть товар можно в течение { $days } { $days ->
        [one] дня
       *[other] дней
    } после получения:
    1. В приложении: Мои заказы → заказ → «Вернуть товар».
    2. Выберите товар и причину, упакуйте его.
    3. Отнесите в любой пункт выдачи — деньги вернутся на баланс в приложении после проверки.
orders-answer-return-expired = Срок возврата ({ $days } { $days ->
        [one] день
        [few] дня
       *[other] дней
    } после получения) прошёл. Если товар с браком — выберите «Товар повреждён» или напишите специалисту.
orders-answer-return-not-yet = Вернуть можно после получения. Пока заказ не пришёл — его можно отменить или отказаться от него при получении.
orders-answer-refund-status = Деньги за { $state ->
        [cancelled] отменённый
       *[returned] возвращённый
    } заказ возвращаются на баланс в приложении. Вывести их на карту можно в профиле — это занимает 2–3 рабочих дня.
orders-answer-refund-how = Деньги возвращаются после отмены или возврата заказа — на баланс в приложении, оттуда их можно вывести на карту за 2–3 рабочих дня.
orders-answer-ask-photos = Жаль, что так вышло. Пришлите фото повреждений — одно или несколько, можно альбомом, — а потом коротко опишите, что случилось. Я передам всё специалисту.
orders-answer-ask-items = Отметьте, какие товары пришли не те или не пришли, и нажмите «Готово».
orders-answer-ask-details = Опишите коротко, что случилось с заказом, — передам специалисту вместе с данными заказа.

orders-cancelled-balance = Заказ { $number } отменён. Деньги вернутся на баланс в приложении; вывести их на карту можно в профиле — это 2–3 рабочих дня.
orders-cancelled-unpaid = Заказ { $number } отменён. Деньги не списывались — возвращать нечего.
orders-cancel-too-late = Заказ уже нельзя отменить: его статус изменился. Откройте заказ заново.
orders-photo-or-text = Пришлите фото повреждений или текстом опишите, что случилось.
orders-items-none = Отметьте хотя бы один товар.
orders-escalated = Передал специалисту — обращение №{ $id }. Ответ придёт сюда; можно дописать детали или прислать фото.
orders-summary = Заказ { $number }: { $problem }. { $text }
cmd-orders = Мои заказы
# What the customer wrote follows this line as they wrote it.
orders-summary-title = Заказ { $number }: { $problem }.
orders-photos-got = Получил фото: { $count }. Теперь коротко опишите словами, что не так, — или пришлите ещё фото.
orders-photos-album-got = Получил альбом. Теперь коротко опишите словами, что не так, — или пришлите ещё фото.

orders-pickup-hours = Часы работы: { $hours }.
orders-pickup-hours-unknown = Часы работы — на странице пункта выдачи в приложении.
orders-pickup-until = Заказ хранится до { $date } включительно.
orders-pickup-days = Заказ хранится { $days } { $days ->
        [one] день
        [few] дня
       *[many] дней
    } после прибытия; точная дата — в приложении.
orders-card-delivered = Доставлен { $date }
orders-answer-refund-not-charged = Этот заказ оплачивался при получении, поэтому деньги не списывались и возвращать нечего. Если деньги всё же списались — нажмите «Написать специалисту», разберёмся.

# Набранный ответ на «Отменить заказ?», который ни «да», ни «нет».
orders-cancel-yes-or-no = Отменить заказ? Ответьте, пожалуйста, «да» или «нет».

# Просьбы вне сценариев, которые ведут к списку заказов (регулярное выражение, строчными).
orders-request-words = где (мой |моя |мои )?(заказ|посылк)|статус заказа|задерж|опаздыва|не привезли|не доставили|возврат|вернуть (деньги|товар|заказ)|верните деньги|мои заказы
