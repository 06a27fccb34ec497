#include "report/qt_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QStringList>
#include <cstdlib>

namespace gridtwin::report::detail {

namespace {

// Where Debian's fonts-wqy-microhei puts the font.
constexpr const char* kCjkFontFile = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

}  // namespace

void ensureApplication() {
  if (QCoreApplication::instance() != nullptr) return;
  if (std::getenv("QT_QPA_PLATFORM") == nullptr) qputenv("QT_QPA_PLATFORM", "offscreen");
  if (std::getenv("XDG_RUNTIME_DIR") == nullptr) {
    // Qt wants a private runtime folder; make the one it would pick, quietly.
    const QString dir = QDir::tempPath() + QStringLiteral("/gridtwin-runtime-") +
                        QString::number(QCoreApplication::applicationPid());
    QDir().mkpath(dir);
    QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    qputenv("XDG_RUNTIME_DIR", dir.toLocal8Bit());
  }
  static int argc = 1;
  static char name[] = "gridtwin";
  static char* argv[] = {name, nullptr};
  // Never destroyed: ~QGuiApplication at static destruction runs after Qt's
  // own thread storage is gone and crashes removing the application fonts.
  // The process's end frees it.
  static QGuiApplication* app = new QGuiApplication(argc, argv);
  (void)app;
}

core::Result<QString> cjkFontFamily() {
  ensureApplication();
  static const QString family = [] {
    const int id = QFontDatabase::addApplicationFont(QString::fromUtf8(kCjkFontFile));
    if (id < 0) return QString();
    const QStringList families = QFontDatabase::applicationFontFamilies(id);
    return families.isEmpty() ? QString() : families.front();
  }();
  if (family.isEmpty()) {
    return core::makeError(core::ErrorCode::kNotFound,
                           "cannot load the CJK font (scripts/setup installs fonts-wqy-microhei)",
                           kCjkFontFile);
  }
  return family;
}

}  // namespace gridtwin::report::detail
