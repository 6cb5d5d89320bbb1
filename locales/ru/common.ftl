start-greeting =
    Здравствуйте, { $name }! Я бот поддержки маркетплейса и отвечаю сразу, без очереди.
    Выберите, что нужно, в меню ниже — или просто напишите, что случилось.
menu-title = Чем помочь?
menu-btn-login = Войти
menu-btn-orders = Мои заказы
menu-btn-recover = Я сменил номер
menu-btn-support = Написать человеку
menu-btn-language = Язык / Language

help-text =
    <b>Что я умею</b>
    /start — главное меню
    /orders — мои заказы и помощь с ними
    /support — написать специалисту
    /login — войти по номеру или email
    /recover — сменили номер? восстановить доступ
    /logout — выйти из аккаунта
    /language — сменить язык
    /cancel — прервать текущий шаг
    /help — эта справка

    Горячая линия для покупателей: { $hotline } (круглосуточно).
help-hotline = 8-800-234-55-66

language-choose = Выберите язык общения:
language-set = Готово, теперь говорим по-русски.
language-btn-ru = Русский
language-btn-en = English

cancel-done = Отменил. Можно начать заново из меню.
cancel-nothing = Сейчас нечего отменять.

fallback-unknown = Не совсем понял. Выберите пункт меню ниже — или нажмите /help, там всё, что я умею.
button-stale = Эта кнопка устарела. Откройте меню заново: /start
error-generic = Что-то пошло не так на нашей стороне. Уже разбираемся — попробуйте ещё раз через минуту или начните с /start.

cmd-start = Главное меню
cmd-help = Что умеет бот
cmd-language = Сменить язык
cmd-cancel = Прервать текущий шаг
