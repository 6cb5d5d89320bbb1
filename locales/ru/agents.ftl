agents-card-title = <b>Обращение №{ $id }</b>: { $subject }
agents-card-recreated = ⚠️ Прежнюю тему удалили или закрыли вручную — обращение продолжается здесь.
agents-card-customer = Клиент: { $name } ({ $username }, id <code>{ $telegram_id }</code>)
agents-card-account = Аккаунт: { $name } (<code>{ $id }</code>), телефон { $phone }
agents-card-no-account = Аккаунт: не привязан (клиент не входил)
agents-card-language = Язык клиента: { $locale }
agents-card-order = Заказ: <code>{ $number }</code>, проблема: { $problem }
agents-card-recent = <b>Последние сообщения:</b>
agents-card-help = Ответ клиенту — просто сообщение в этой теме. /note текст — заметка для коллег, /take — взять, /close — закрыть, /reply ключ — шаблон.
agents-media = [{ $kind }]
agents-customer-says = <b>👤 { $name }:</b>
agents-customer-edited = <b>✏️ { $name } исправил(а) сообщение:</b>
agents-unreachable = ⛔ Клиент заблокировал бота: ответы сохранены, но не доставлены. Обращение помечено как недоступное.
agents-overdue = ⏰ Обращение №{ $id } ({ $name }) ждёт первого ответа дольше { $minutes } мин.
agents-queue-title = <b>Очередь: { $count }</b>
agents-queue-line = { $mark }{ $status } №{ $id } · { $name } · ждёт { $minutes } мин · { $assignee }
agents-queue-nobody = не назначено
agents-queue-empty = Очередь пуста 🎉
agents-taken = Обращение №{ $id } взял(а) { $name }.
agents-closed = Обращение №{ $id } закрыто ({ $name }).
agents-already-closed = Обращение №{ $id } уже закрыто.
agents-note-saved = 📝 Заметка сохранена — клиент её не видит.
agents-note-empty = Напишите текст заметки после команды: /note текст
agents-no-ticket = В этой теме нет обращения. Команды обращений работают внутри их тем; /queue — в любой.
agents-unknown-command = Такой команды нет. В теме обращения: /note, /take, /close, /reply ключ; админам: /ban, /unban, /canned.
agents-canned-missing = Шаблона «{ $key }» нет. Список: /canned
agents-canned-list = <b>Шаблоны:</b>
agents-canned-line = <code>{ $key }</code> [{ $locale }]: { $text }
agents-canned-none = Шаблонов пока нет. Добавить: /canned_set ключ ru|en текст
agents-canned-saved = Шаблон «{ $key }» [{ $locale }] сохранён.
agents-canned-deleted = Шаблон «{ $key }» удалён.
agents-canned-usage = Формат: /canned_set ключ ru|en текст, /canned_del ключ
agents-admins-only = Это могут только администраторы.
agents-banned = Клиент заблокирован: его сообщения больше не попадут к агентам. /unban — снять.
agents-unbanned = Блокировка снята.
agents-rated = Клиент оценил помощь: { $stars }
agents-commented = Комментарий клиента: { $text }
agents-closed-by-customer = Клиент закрыл обращение.
agents-btn-take = Взять
agents-btn-close = Закрыть
agents-card-items = Товары: { $items }
agents-recovery-evidence =
    <b>Восстановление доступа</b> к аккаунту { $account }
    Имя от клиента: { $name_typed } · в аккаунте: { $name_held } · совпадает: { $name }
    Заказ от клиента: { $order_typed } · из этого аккаунта: { $order }
    Старый номер от клиента: { $old } · в аккаунте: { $old_held } · совпадает: { $old_ok }
    Новый номер { $new } подтверждён кодом.
agents-yes = ✅ да
agents-no = ❌ нет
agents-btn-approve = Одобрить смену номера
agents-btn-reject = Отклонить
agents-recovery-approved = Смена номера одобрена ({ $name }); клиенту сообщили дату.
agents-recovery-reject-how = Напишите в этой теме /reject и причину — клиент получит её.
agents-recovery-rejected = Заявка отклонена; клиенту отправлена причина.
agents-recovery-decided = По этой заявке уже принято решение.
agents-recovery-notice-lost = ⚠️ Смена номера №{ $id } (аккаунт { $account }, обращение №{ $ticket }): предупреждение для { $whom } не доставлено ({ $reason }). Смена пройдёт { $date }, если её не отменят, — пожалуйста, свяжитесь с владельцем иначе.
# Long texts: the person's own words follow these lines as they wrote them.
agents-comment-title = Комментарий клиента:
agents-card-items-more = … и ещё { $count } — весь список в сообщении клиента ниже.
agents-button-stale = Эта кнопка устарела: такого обращения нет. Открытые покажет /queue.
agents-cannot-relay = Такое сообщение клиенту не передать. Отправьте текст, фото или файл.
agents-edit-not-followed = Этот ответ дошёл до клиента в { $parts } { $parts ->
        [one] части
       *[other] частях
    }, а после правки частей стало бы другое число, поэтому клиент видит прежний текст. Отправьте исправление новым сообщением.
# Who holds a ticket, and taking it over from them.
agents-card-holder = Ведёт: { $name }
agents-card-approved = ✅ Смену номера одобрил(а) { $name }. Обращение закрыто.
agents-card-rejected = ❌ Заявку отклонил(а) { $name }. Обращение закрыто.
agents-take-held = Обращение №{ $id } уже ведёт { $name }. Забрать себе? Коллеге скажем об этом здесь.
agents-btn-take-over = Да, забрать
agents-taken-over = Обращение №{ $id } забрал(а) { $name } у <a href="tg://user?id={ $previous_id }">{ $previous }</a>. { $previous }, теперь его ведёт коллега — отвечать здесь не нужно.
agents-queue-forum = 📂 <b>{ $forum }</b>
agents-move-how = Чтобы перенести обращение в другой форум, отправьте в его теме /move и название: { $forums }
agents-moved-here = Перенесено сюда из { $forum }, перенёс(ла) { $name }. Карточка и последние сообщения — выше.
agents-moved-away = Обращение №{ $id } перенесено в { $forum }: продолжение там, эта тема закрывается.
# The team's numbers: /stats in the forum and the stats page (python -m bot stats).
agents-stats-refused = Цифры команды доступны только администраторам.
agents-stats-usage = Напишите /stats, /stats week или /stats month.
agents-stats-today = сегодня
agents-stats-week = последние 7 дней
agents-stats-month = последние 30 дней
agents-stats-title = 📊 <b>Цифры команды: { $period }</b> ({ $start } – { $end })
agents-stats-all = <b>Все форумы</b>
agents-stats-forum = 📂 <b>{ $forum }</b>
agents-stats-agent = 👤 <b>{ $name }</b>
agents-stats-counts = Открыто { $opened } · закрыто { $closed } · открыто сейчас { $waiting }
agents-stats-first = Первый ответ: p50 { $p50 } · p90 { $p90 }
agents-stats-resolution = Решение: p50 { $p50 } · p90 { $p90 }
agents-stats-csat = Оценка: { NUMBER($csat, maximumFractionDigits: 2) } из 5 ({ $count } { $count ->
        [one] оценка
        [few] оценки
        [many] оценок
       *[other] оценки
    })
agents-stats-no-csat = Оценка: оценок пока нет
agents-stats-none = —
agents-stats-seconds = { $seconds } с
agents-stats-minutes = { $minutes } мин
agents-stats-hours = { $hours } ч { $minutes } мин
agents-stats-days = { $days } д { $hours } ч
agents-stats-page-title = Цифры команды
agents-stats-page-period = Период
agents-stats-page-where = Форум или сотрудник
agents-stats-page-opened = Открыто
agents-stats-page-closed = Закрыто
agents-stats-page-waiting = Открыто сейчас
agents-stats-page-first = Первый ответ p50 / p90
agents-stats-page-resolution = Решение p50 / p90
agents-stats-page-csat = Оценка (сколько)
agents-stats-page-forums = По форумам
agents-stats-page-agents = По сотрудникам
agents-stats-page-total = Все форумы
agents-stats-page-chart-first = Первый ответ по дням: p50 и p90
agents-stats-page-chart-backlog = Открытые обращения по часам
agents-stats-page-generated = Посчитано { $at } ({ $zone }). «Открыто сейчас» — обращения, открытые в этот момент, за любой период.
# Автоназначение (AUTO_ASSIGN): кто на месте в этом форуме, и обращение, отданное ему.
agents-online = 🟢 Вы на месте в этом форуме: новые обращения отсюда могут назначаться вам. /away — отключить.
agents-online-off = 🟢 Отмечено, но автоназначение выключено (AUTO_ASSIGN): обращения ждут, пока их возьмут.
agents-away = ⚪ Вы отошли в этом форуме: новые обращения отсюда вам не назначаются.
agents-away-already = ⚪ Вы и не были на месте в этом форуме: вам здесь ничего не назначается.
agents-event-for = 👋 <a href="tg://user?id={ $agent_id }">{ $name }</a>
agents-assigned = Обращение назначено вам автоматически: вы на месте и у вас меньше всех открытых обращений.
agents-overdue-admins = 🚨 Обращение №{ $id } ({ $name }) в { $forum } ждёт первого ответа дольше { $minutes } мин — вдвое дольше нормы. Ведёт: { $holder }.
